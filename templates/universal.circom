pragma circom 2.1.0;

// The universal zkvm circuit (SPEC "Universal circuits (v2)"): one circuit per
// set of bounds that proves the execution of any valid program within them.
// The program is a private input, identified by the public program hash; see
// src/universal/encode.ts for the canonical encoding and src/universal/hash.ts
// for the hash this circuit recomputes.
//
// Bounds (template parameters): N steps, I instructions, M memory cells, S stack
// slots, IN inputs, OUT outputs, W comparison width.
//
// Public signals, in snarkjs order: programHash, out[OUT] (the declared output
// cells' final values in declaration order, 0 in unused slots), then
// publicIn[IN] (public inputs in declaration order, 0 in unused slots).
//
// Instructions are numbered 0..I-1 in program order (pc is an instruction
// index, not a byte offset) and the program is given as the coefficients of
// two polynomials of degree < I: op(i) is instruction i's opcode byte, arg(i)
// its immediate (PUSH: the value; LOAD/STORE: the renumbered cell; JUMP/JUMPI:
// the target's instruction index; otherwise 0). Fetching instruction pc is two
// Horner evaluations: 2(I-1) products per step, no selector over I.
//
// What the circuit relies on (SPEC: facts validation guarantees, bound by the
// hash): pc is always an instruction index below the program's length, so the
// polynomials are only ever evaluated at rows of the program; the stack never
// underflows; and the declared maximum stack height, which the circuit checks
// against S, is the real one. A program whose encoding breaks a bound (more
// instructions, cells or outputs than the circuit holds) has no hash the
// circuit can output.

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";

// Domain separation of the program hash (ASCII "zkvm-u1").
function PROGRAM_HASH_TAG() { return 34458103540708657; }

// Opcode bytes, in the order of the flags DecodeOp outputs (SPEC encoding table).
function OPCODE(k) {
    return k < 10 ? k + 1 : 255;
}

// p(x) from p's coefficients c[0..n-1] (lowest first): n - 1 products.
template Horner(n) {
    signal input c[n];
    signal input x;
    signal output out;
    signal acc[n];
    acc[n - 1] <== c[n - 1];
    for (var k = n - 2; k >= 0; k--) {
        acc[k] <== c[k] + x * acc[k + 1];
    }
    out <== acc[0];
}

// f[k] = 1 for the opcode byte op = OPCODE(k), else 0; unsatisfiable for any
// other op. Order: PUSH ADD MUL STORE LOAD JUMP JUMPI EQ LT GT STOP.
template DecodeOp() {
    signal input op;
    signal output f[11];
    var one = 0;
    var code = 0;
    for (var k = 0; k < 11; k++) {
        var byte = OPCODE(k);
        f[k] <-- op == byte ? 1 : 0;
        f[k] * (f[k] - 1) === 0;
        one += f[k];
        code += byte * f[k];
    }
    one === 1;
    code === op;
}

// sel[j] = [index == j] for j < n, with exactly one set when active = 1 and
// none when active = 0: unsatisfiable when active = 1 and index is not in [0, n).
template Select(n) {
    signal input index;
    signal input active;
    signal output sel[n];
    var count = 0;
    var at = 0;
    for (var j = 0; j < n; j++) {
        sel[j] <-- index == j ? active : 0;
        sel[j] * (sel[j] - 1) === 0;
        count += sel[j];
        at += j * sel[j];
    }
    count === active;
    at === index;
}

// Memory of M cells for one step: reads cell `addr` and, when isStore = 1,
// writes `value` there. v is the selected cell's new value; pi[j] = sel[j] *
// (v - cell[j]) is its change, zero elsewhere, so read = v - sum(pi): one
// product per cell serves both the read and the write.
template MemoryStep(M) {
    signal input cell[M];
    signal input addr;
    signal input isStore;
    signal input value;
    signal output next[M];
    signal output read;

    signal sel[M] <== Select(M)(addr, 1);
    var current = 0;
    for (var j = 0; j < M; j++) current += sel[j] * cell[j];
    signal v;
    v <-- isStore == 1 ? value : current;
    signal pi[M];
    var change = 0;
    for (var j = 0; j < M; j++) {
        pi[j] <== sel[j] * (v - cell[j]);
        next[j] <== cell[j] + pi[j];
        change += pi[j];
    }
    read <== v - change;
    // A STORE writes the value; anything else writes back what it read.
    isStore * (value - read) === v - read;
}

// Limb size for Comparator: the b that minimises 3 * ceil(W / b) + b, the
// cost of comparing two W-bit values from their bits in limbs of b bits.
function limbBits(W) {
    var best = W;
    var cost = 3 + W;
    for (var b = 1; b < W; b++) {
        var c = 3 * ((W + b - 1) \ b) + b;
        if (c < cost) {
            best = b;
            cost = c;
        }
    }
    return best;
}

// W-bit unsigned comparison of the operands of LT (a < b) and GT (a > b);
// 0 on every other step, where both gated operands are 0. SPEC: an operand of
// 2^W or more faults, so both are range-checked (Num2Bits(W) each). x < y is
// then read off those bits instead of a third, (W+1)-bit decomposition of
// x - y: in limbs of B bits (B = limbBits(W)), a hint names the highest limb
// where x and y differ (none when x = y); the circuit checks that every limb
// above it is equal, that the named limbs differ, and takes the sign of their
// difference D (|D| < 2^B) from one (B+1)-bit decomposition. Cost: 2W +
// 3 * ceil(W / B) + B + 3 (W = 64: 159) instead of 3W + 1.
template Comparator(W) {
    signal input isLT;
    signal input isGT;
    signal input a;
    signal input b;
    signal output lt;
    // x, y = (a, b) for LT, (b, a) for GT, (0, 0) otherwise: three products.
    signal ltDiff <== isLT * (a - b);
    signal cmpB <== (isLT + isGT) * b;
    signal cmpA <== (isLT + isGT) * a;
    signal x <== ltDiff + cmpB;
    signal y <== cmpA - ltDiff;
    component rangeX = Num2Bits(W);
    rangeX.in <== x;
    component rangeY = Num2Bits(W);
    rangeY.in <== y;

    var B = limbBits(W);
    var nL = (W + B - 1) \ B;
    var mask = (1 << B) - 1;
    // e[j] = 1 for the highest limb j where x and y differ; from the top limb
    // down, `some` counts the named limbs at or above j.
    signal e[nL];
    signal dp[nL];
    var some = 0;
    var D = 0;
    for (var j = nL - 1; j >= 0; j--) {
        var xl = 0;
        var yl = 0;
        for (var i = j * B; i < (j + 1) * B && i < W; i++) {
            xl += rangeX.out[i] * (1 << (i - j * B));
            yl += rangeY.out[i] * (1 << (i - j * B));
        }
        var differs = ((x >> (j * B)) & mask) != ((y >> (j * B)) & mask);
        var above = (x >> ((j + 1) * B)) != (y >> ((j + 1) * B));
        e[j] <-- differs && !above ? 1 : 0;
        e[j] * (e[j] - 1) === 0;
        some += e[j];
        // A limb above the named one (every limb when none is named) is equal.
        (1 - some) * (xl - yl) === 0;
        dp[j] <== e[j] * (xl - yl);
        D += dp[j];
    }
    // At most one limb is named, and the named limbs differ: D != 0.
    some * (some - 1) === 0;
    signal inv <-- D != 0 ? some / D : 0;
    D * inv === some;
    // x < y iff a limb is named and D < 0; D + 2^B - 1 has bit B set iff D > 0.
    component sign = Num2Bits(B + 1);
    sign.in <== D + (1 << B) - 1;
    lt <== some - sign.out[B];
}

// One step of the machine (SPEC opcode table), on an S-slot stack whose top is
// s[0] and M memory cells. STOP leaves everything as it is (pc included), so a
// halted machine stays halted until step N.
template Step(I, M, S, W) {
    signal input opC[I];
    signal input argC[I];
    signal input pc;
    signal input s[S];
    signal input mem[M];
    signal output pcNext;
    signal output sNext[S];
    signal output memNext[M];
    signal output isStop;

    // Fetch and decode.
    signal op <== Horner(I)(opC, pc);
    signal arg <== Horner(I)(argC, pc);
    signal f[11] <== DecodeOp()(op);
    var fPUSH = f[0];
    var fADD = f[1];
    var fMUL = f[2];
    var fSTORE = f[3];
    var fLOAD = f[4];
    var fJUMP = f[5];
    var fJUMPI = f[6];
    var fEQ = f[7];
    var fLT = f[8];
    var fGT = f[9];
    var fSTOP = f[10];
    isStop <== fSTOP;

    // Memory: LOAD reads and STORE writes cell arg; other steps touch cell 0 and keep it.
    signal addr <== (fLOAD + fSTORE) * arg;
    component memory = MemoryStep(M);
    memory.cell <== mem;
    memory.addr <== addr;
    memory.isStore <== fSTORE;
    memory.value <== s[0];
    memNext <== memory.next;

    // EQ and JUMPI share one zero test: z = a - b for EQ, c (the top) for JUMPI, 1 otherwise.
    signal eqDiff <== fEQ * (s[1] - s[0]);
    signal cond <== fJUMPI * s[0];
    signal isZero <== IsZero()(eqDiff + cond + 1 - fEQ - fJUMPI);
    signal eq <== fEQ * isZero;
    var taken = fJUMPI - isZero + eq;

    signal lt <== Comparator(W)(fLT, fGT, s[1], s[0]);

    // The new top (b = s[0], a = s[1]); lt is 0 unless LT or GT runs.
    signal mulB <== fMUL * s[1];
    signal arith <== (mulB + fADD) * s[0]; // MUL: a * b; ADD: b
    signal below <== (fADD + fSTORE + fJUMPI) * s[1]; // ADD: a; STORE, JUMPI: pop
    signal keep <== (fJUMP + fSTOP) * s[0];
    signal pushed <== fPUSH * arg;
    signal loaded <== fLOAD * memory.read;
    sNext[0] <== arith + below + keep + pushed + loaded + eq + lt;

    // Slots below the top shift up on a push, down on a pop (binary operators
    // pop two and push one: the slots below the result shift down by one).
    var up = fPUSH + fLOAD;
    var down = fADD + fMUL + fEQ + fLT + fGT + fSTORE + fJUMPI;
    signal rise[S - 1];
    signal fall[S - 1];
    for (var j = 1; j < S; j++) {
        rise[j - 1] <== up * (s[j - 1] - s[j]);
        if (j + 1 < S) {
            fall[j - 1] <== down * (s[j + 1] - s[j]);
        } else {
            fall[j - 1] <== down * (0 - s[j]);
        }
        sNext[j] <== s[j] + rise[j - 1] + fall[j - 1];
    }

    // JUMP and a taken JUMPI go to arg; STOP stays; everything else falls through.
    signal jump <== (fJUMP + taken) * (arg - pc - 1);
    pcNext <== pc + 1 - fSTOP + jump;
}

// Poseidon over a zero-terminated sequence (SPEC: the hash covers the program
// and nothing else). Elements come in chunks of 14; chunk c is absorbed when its
// first element is not zero, and once a chunk is skipped every later one is:
//   h = tag; for each absorbed chunk: h = Poseidon(h, chunk[0..13]).
// `chunks` counts the absorbed chunks. The hash so does not depend on how many
// chunks the circuit can hold, only on the sequence.
template ChainHash(nChunks, tag) {
    signal input e[nChunks * 14];
    signal output out;
    signal output chunks;
    signal h[nChunks + 1];
    signal active[nChunks];
    signal absorbed[nChunks];
    component empty[nChunks];
    component p[nChunks];
    h[0] <== tag;
    var count = 0;
    for (var c = 0; c < nChunks; c++) {
        empty[c] = IsZero();
        empty[c].in <== e[c * 14];
        active[c] <== 1 - empty[c].out;
        if (c > 0) active[c] * (1 - active[c - 1]) === 0;
        p[c] = Poseidon(15);
        p[c].inputs[0] <== h[c];
        for (var k = 0; k < 14; k++) p[c].inputs[k + 1] <== e[c * 14 + k];
        absorbed[c] <== active[c] * (p[c].out - h[c]);
        h[c + 1] <== h[c] + absorbed[c];
        count += active[c];
    }
    out <== h[nChunks];
    chunks <== count;
}

// Thermometer code of a count below n + 1: t[j] = [j < count], each boolean,
// never 1 after a 0.
template Thermometer(n) {
    signal input t[n];
    signal output count;
    var total = 0;
    for (var j = 0; j < n; j++) {
        t[j] * (t[j] - 1) === 0;
        if (j > 0) t[j] * (1 - t[j - 1]) === 0;
        total += t[j];
    }
    count <== total;
}

function ceilDiv(a, b) { return (a + b - 1) \ b; }

function bitsFor(n) {
    var k = 1;
    while ((1 << k) <= n) k++;
    return k;
}

// The program hash (src/universal/hash.ts) of the program given as Universal
// takes it: the code, the cells and the outputs each chained, then a header.
template ProgramHash(I, M, IN, OUT) {
    signal input opC[I];
    signal input argC[I];
    signal input cellAddress[M];
    signal input outputCell[OUT];
    signal input isIn[IN];
    signal input isPublic[IN];
    signal input maxHeight;
    signal output out;

    var codeChunks = ceilDiv(2 * I, 14);
    component code = ChainHash(codeChunks, 1);
    for (var i = 0; i < codeChunks * 7; i++) {
        if (i < I) {
            // op(i), arg(i): linear in the coefficients.
            var opAt = 0;
            var argAt = 0;
            var power = 1;
            for (var k = 0; k < I; k++) {
                opAt += opC[k] * power;
                argAt += argC[k] * power;
                power = power * i;
            }
            code.e[2 * i] <== opAt;
            code.e[2 * i + 1] <== argAt;
        } else {
            code.e[2 * i] <== 0;
            code.e[2 * i + 1] <== 0;
        }
    }
    var cellChunks = ceilDiv(M, 14);
    component cells = ChainHash(cellChunks, 2);
    for (var j = 0; j < cellChunks * 14; j++) {
        if (j < M) {
            cells.e[j] <== cellAddress[j];
        } else {
            cells.e[j] <== 0;
        }
    }
    var outChunks = ceilDiv(OUT, 14);
    component outputs = ChainHash(outChunks, 3);
    for (var k = 0; k < outChunks * 14; k++) {
        if (k < OUT) {
            outputs.e[k] <== outputCell[k];
        } else {
            outputs.e[k] <== 0;
        }
    }
    signal nIn <== Thermometer(IN)(isIn);
    signal nPublic <== Thermometer(IN)(isPublic);
    component header = Poseidon(10);
    header.inputs[0] <== PROGRAM_HASH_TAG();
    header.inputs[1] <== nPublic;
    header.inputs[2] <== nIn;
    header.inputs[3] <== maxHeight;
    header.inputs[4] <== code.chunks;
    header.inputs[5] <== code.out;
    header.inputs[6] <== cells.chunks;
    header.inputs[7] <== cells.out;
    header.inputs[8] <== outputs.chunks;
    header.inputs[9] <== outputs.out;
    out <== header.out;
}

// Initial memory: input cells hold their values, every other cell 0.
template InitialMemory(M, IN) {
    signal input isIn[IN];
    signal input isPublic[IN];
    signal input publicIn[IN];
    signal input privateIn[IN];
    signal output mem[M];
    signal isPrivate[IN];
    for (var j = 0; j < M; j++) {
        if (j < IN) {
            // Unused input slots are zero, so cell j = publicIn[j] + privateIn[j].
            (1 - isPublic[j]) * publicIn[j] === 0;
            isPrivate[j] <== isIn[j] - isPublic[j];
            (1 - isPrivate[j]) * privateIn[j] === 0;
            mem[j] <== publicIn[j] + privateIn[j];
        } else {
            mem[j] <== 0;
        }
    }
}

// Outputs: each declared output cell's value in `mem`; 0 in unused slots,
// which all follow the used ones.
template OutputCells(M, OUT) {
    signal input outputCell[OUT];
    signal input mem[M];
    signal output out[OUT];
    signal isOutput[OUT];
    signal picked[OUT][M];
    component unused[OUT];
    component outputSelect[OUT];
    for (var k = 0; k < OUT; k++) {
        unused[k] = IsZero();
        unused[k].in <== outputCell[k];
        isOutput[k] <== 1 - unused[k].out;
        if (k > 0) isOutput[k] * (1 - isOutput[k - 1]) === 0;
        outputSelect[k] = Select(M);
        outputSelect[k].index <== outputCell[k] - isOutput[k];
        outputSelect[k].active <== isOutput[k];
        var value = 0;
        for (var j = 0; j < M; j++) {
            picked[k][j] <== outputSelect[k].sel[j] * mem[j];
            value += picked[k][j];
        }
        out[k] <== value;
    }
}

template Universal(N, I, M, S, IN, OUT, W) {
    // The program (private): coefficients of op(i) and arg(i) (see above).
    signal input opC[I];
    signal input argC[I];
    // Original address + 1 of each renumbered cell, 0 past the last.
    signal input cellAddress[M];
    // Renumbered cell + 1 of each declared output, in order, 0 past the last.
    signal input outputCell[OUT];
    // Inputs are cells 0..nIn-1, public ones first: isIn[j] = [j < nIn], isPublic[j] = [j < nPub].
    signal input isIn[IN];
    signal input isPublic[IN];
    // The largest stack height of the program (validation computes it).
    signal input maxHeight;
    // Input values: privateIn[j] is cell j's value when cell j is a private input.
    signal input publicIn[IN];
    signal input privateIn[IN];

    signal output programHash;
    signal output out[OUT];

    // --- The program hash.
    programHash <== ProgramHash(I, M, IN, OUT)(opC, argC, cellAddress, outputCell, isIn, isPublic, maxHeight);

    // --- The stack bound: maxHeight <= S.
    component heightFits = Num2Bits(bitsFor(S));
    heightFits.in <== S - maxHeight;

    // --- Initial memory.
    signal mem[N + 1][M];
    mem[0] <== InitialMemory(M, IN)(isIn, isPublic, publicIn, privateIn);

    // --- N steps from pc 0 with an empty stack.
    signal pc[N + 1];
    signal stack[N + 1][S];
    pc[0] <== 0;
    for (var j = 0; j < S; j++) stack[0][j] <== 0;
    component step[N];
    for (var t = 0; t < N; t++) {
        step[t] = Step(I, M, S, W);
        step[t].opC <== opC;
        step[t].argC <== argC;
        step[t].pc <== pc[t];
        step[t].s <== stack[t];
        step[t].mem <== mem[t];
        pc[t + 1] <== step[t].pcNext;
        stack[t + 1] <== step[t].sNext;
        mem[t + 1] <== step[t].memNext;
    }
    // SPEC "Steps": the program halts within N steps, so step N - 1 runs STOP.
    step[N - 1].isStop === 1;

    // --- Outputs: the declared output cells' final values.
    out <== OutputCells(M, OUT)(outputCell, mem[N]);
}
