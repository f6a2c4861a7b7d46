pragma circom 2.1.0;

// Baseline for bench/programs/clipsq.zkasm: s = min(1, t) + ... + min(n^2, t),
// for a public n in {0..K} and a private t (the inputs whose run halts within
// the step bound).
//
// The loop test "i == n" (EQ) is IsEqual(n, j): at most one holds, so
// "term j + 1 is added" = 1 - (hits up to j) is linear, and "n is one of
// 0..K" is "exactly one hit".
//
// The branch "i^2 < t" (LT) runs only when some term is added (n > 0), and
// only then must t be below 2^64 (SPEC: an LT operand of 2^64 or more
// faults): t is range checked once, gated by n > 0. Every square is below
// 2^k (k = bitsFor(K^2)), so with t's bits at hand i^2 < t is "t has a bit
// at or above k, or t's low k bits exceed i^2": one IsZero for all terms,
// then a k-bit LessThan per term.

include "bounds.circom";

template ClipSq(K) {
    signal input n;
    signal input t;
    signal output s;

    signal hit[K + 1]; // hit[j] = 1 if n == j
    var hits = 0;
    for (var j = 0; j <= K; j++) {
        hit[j] <== IsEqual()([n, j]);
        hits += hit[j];
    }
    hits === 1;

    // t where an LT runs (n > 0), else 0.
    signal tCompared <== (1 - hit[0]) * t;
    signal tBits[64] <== Num2Bits(64)(tCompared);
    var k = bitsFor(K * K);
    var low = 0;
    var high = 0;
    for (var i = 0; i < k; i++) low += tBits[i] * (1 << i);
    for (var i = k; i < 64; i++) high += tBits[i] * (1 << (i - k));
    signal tSmall <== IsZero()(high); // t < 2^k

    signal lowAbove[K]; // t's low k bits > (j + 1)^2
    signal smallBelow[K]; // t < 2^k and t <= (j + 1)^2
    signal term[K];     // min((j + 1)^2, t)
    signal added[K];    // term[j] if term j + 1 is added, else 0
    var sum = 0;
    var running = 1;
    for (var j = 0; j < K; j++) {
        var square = (j + 1) * (j + 1);
        running -= hit[j];
        lowAbove[j] <== LessThan(k)([square, low]);
        smallBelow[j] <== tSmall * (1 - lowAbove[j]);
        // square < t exactly when not smallBelow[j]: then the term is the square.
        term[j] <== square + smallBelow[j] * (tCompared - square);
        added[j] <== running * term[j];
        sum += added[j];
    }
    s <== sum;
}
