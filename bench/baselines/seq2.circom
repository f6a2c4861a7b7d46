pragma circom 2.1.0;

// Baseline for bench/programs/seq2.zkasm: a = x^n, then b = m * a by m
// additions, for a private x and public n, m whose run halts within the
// step bound N: 12 + 13n + 13m <= N, i.e. n + m <= K.
//
// n and m are one-hot over 0..K (IsEqual), "i < n" and "j < m" are linear
// in the hits, and n + m <= K is one LessThan. The powers x^i cost one
// product each, choosing a = x^n one per power, and the m additions of a
// one product m * a.

include "comparators.circom";
include "bounds.circom";

template Seq2(N) {
    signal input x;
    signal input n;
    signal input m;
    signal output b;

    var K = (N - 12) \ 13;

    signal hitN[K + 1];
    signal hitM[K + 1];
    var hitsN = 0;
    var hitsM = 0;
    for (var v = 0; v <= K; v++) {
        hitN[v] <== IsEqual()([n, v]);
        hitM[v] <== IsEqual()([m, v]);
        hitsN += hitN[v];
        hitsM += hitM[v];
    }
    hitsN === 1;
    hitsM === 1;
    // Both are at most K, so n + m <= 2K: one comparison bounds the steps.
    signal within <== LessThan(bitsFor(2 * K))([n + m, K + 1]);
    within === 1;

    // a = x^n: the powers, then the one that n selects.
    signal pow[K + 1];
    pow[0] <== 1;
    for (var i = 1; i <= K; i++) pow[i] <== pow[i - 1] * x;
    signal pick[K];
    var a = hitN[0];
    for (var i = 1; i <= K; i++) {
        pick[i - 1] <== hitN[i] * pow[i];
        a += pick[i - 1];
    }

    // b = a added m times: Σ_j [j < m] * a = m * a, one product (m <= K).
    signal ma <== m * a;
    var acc = ma;
    b <== acc;
}
