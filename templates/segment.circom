pragma circom 2.1.0;

// One segment of a segment chain (SPEC "Segment chains (v3)"): L steps of the
// universal machine (templates/universal.circom's Step, unchanged) from a
// committed state to a committed state. A chain of k segment proofs, checked
// together (src/segments/verify.ts), proves what one universal proof of k * L
// steps proves.
//
// A boundary state is pc, step (steps run so far; the halting STOP counts,
// nothing after it does), halted, the S stack slots (top first) and the M
// cells, committed as
//   state = StateHash(salt, pc, step, halted, stack[0..S-1], mem[0..M-1])
// with a fresh random salt per boundary: the state is private, and without
// the salt a commitment to a small state could be found by trying them.
//
// Public signals, in snarkjs order: programHash, stateIn, stateOut, halted,
// out[OUT] (the declared outputs' final values, 0 unless halted), publicIn[IN]
// (0 unless first), first.
//
// What the segment relies on, beyond what Universal does: its start state is
// a real state of the program. The first segment pins it (pc 0, step 0, not
// halted, an empty stack, the inputs in their cells); every other one starts
// from the previous segment's end, which the verifier checks through the
// commitments (stateIn = the previous stateOut). By induction every state is
// one the machine reaches from the start.

include "universal.circom";

// Poseidon over n > 16 elements as a sponge of circomlib's widest Poseidon:
// h = Poseidon(e[0..15]), then h = Poseidon(h, next 15 elements) while any
// remain (the last chunk as long as it is). src/segments/state.ts computes it
// with circomlibjs.
template StateHash(n) {
    signal input e[n];
    signal output out;
    var rest = n > 16 ? n - 16 : 0;
    var more = ceilDiv(rest, 15);
    component p[more + 1];
    p[0] = Poseidon(n > 16 ? 16 : n);
    for (var i = 0; i < (n > 16 ? 16 : n); i++) p[0].inputs[i] <== e[i];
    var at = 16;
    for (var c = 1; c <= more; c++) {
        var size = n - at > 15 ? 15 : n - at;
        p[c] = Poseidon(size + 1);
        p[c].inputs[0] <== p[c - 1].out;
        for (var i = 0; i < size; i++) p[c].inputs[i + 1] <== e[at + i];
        at += size;
    }
    out <== p[more].out;
}

// A boundary state's commitment.
template StateCommitment(S, M) {
    signal input salt;
    signal input pc;
    signal input step;
    signal input halted;
    signal input stack[S];
    signal input mem[M];
    signal output out;
    component h = StateHash(4 + S + M);
    h.e[0] <== salt;
    h.e[1] <== pc;
    h.e[2] <== step;
    h.e[3] <== halted;
    for (var j = 0; j < S; j++) h.e[4 + j] <== stack[j];
    for (var j = 0; j < M; j++) h.e[4 + S + j] <== mem[j];
    out <== h.out;
}

template Segment(L, I, M, S, IN, OUT, W) {
    // The program and its declaration, as Universal takes them.
    signal input opC[I];
    signal input argC[I];
    signal input cellAddress[M];
    signal input outputCell[OUT];
    signal input isIn[IN];
    signal input isPublic[IN];
    signal input maxHeight;
    signal input privateIn[IN];
    // The state the segment starts from, opened, and the salt of the state it ends in.
    signal input saltIn;
    signal input pcIn;
    signal input stepIn;
    signal input haltedIn;
    signal input stackIn[S];
    signal input memIn[M];
    signal input saltOut;
    // Public inputs (their values in the first segment, 0 elsewhere) and the first-segment flag.
    signal input publicIn[IN];
    signal input first;

    signal output programHash;
    signal output stateIn;
    signal output stateOut;
    signal output halted;
    signal output out[OUT];

    programHash <== ProgramHash(I, M, IN, OUT)(opC, argC, cellAddress, outputCell, isIn, isPublic, maxHeight);
    component heightFits = Num2Bits(bitsFor(S));
    heightFits.in <== S - maxHeight;

    // --- The first segment starts where Universal does: pc 0, step 0, not
    // halted, an empty stack, the inputs in their cells. Public inputs are
    // stated by the first segment only.
    first * (first - 1) === 0;
    signal initial[M] <== InitialMemory(M, IN)(isIn, isPublic, publicIn, privateIn);
    first * pcIn === 0;
    first * stepIn === 0;
    first * haltedIn === 0;
    for (var j = 0; j < S; j++) first * stackIn[j] === 0;
    for (var j = 0; j < M; j++) first * (memIn[j] - initial[j]) === 0;
    for (var j = 0; j < IN; j++) (1 - first) * publicIn[j] === 0;

    // --- L steps. done[t]: STOP has run before step t. A halted start state
    // has pc at a STOP (STOP keeps pc, so it stays there: STOP is sticky).
    signal pc[L + 1];
    signal stack[L + 1][S];
    signal mem[L + 1][M];
    signal done[L + 1];
    pc[0] <== pcIn;
    stack[0] <== stackIn;
    mem[0] <== memIn;
    haltedIn * (haltedIn - 1) === 0;
    done[0] <== haltedIn;
    component step[L];
    var count = stepIn;
    for (var t = 0; t < L; t++) {
        step[t] = Step(I, M, S, W);
        step[t].opC <== opC;
        step[t].argC <== argC;
        step[t].pc <== pc[t];
        step[t].s <== stack[t];
        step[t].mem <== mem[t];
        pc[t + 1] <== step[t].pcNext;
        stack[t + 1] <== step[t].sNext;
        mem[t + 1] <== step[t].memNext;
        count += 1 - done[t];
        done[t + 1] <== step[t].isStop;
    }
    haltedIn * (1 - step[0].isStop) === 0;
    halted <== done[L];

    // --- Outputs: the declared output cells once halted, 0 before.
    signal values[OUT] <== OutputCells(M, OUT)(outputCell, mem[L]);
    for (var k = 0; k < OUT; k++) out[k] <== halted * values[k];

    // --- The commitments.
    component commitIn = StateCommitment(S, M);
    commitIn.salt <== saltIn;
    commitIn.pc <== pcIn;
    commitIn.step <== stepIn;
    commitIn.halted <== haltedIn;
    commitIn.stack <== stackIn;
    commitIn.mem <== memIn;
    stateIn <== commitIn.out;
    component commitOut = StateCommitment(S, M);
    commitOut.salt <== saltOut;
    commitOut.pc <== pc[L];
    commitOut.step <== count;
    commitOut.halted <== halted;
    commitOut.stack <== stack[L];
    commitOut.mem <== mem[L];
    stateOut <== commitOut.out;
}
