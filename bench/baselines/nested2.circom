pragma circom 2.1.0;

// Baseline for bench/programs/nested2.zkasm: for i < n { for j < m { s += i * j + x } },
// for a private x and public n, m whose run halts within the step bound N:
// 5 + 15n + 17nm <= N. When n = 0 the inner loop never runs and m is never
// compared, so every m is in the domain; otherwise m <= Km, the largest m
// that halts for n = 1.
//
// n and m are one-hot over their possible values (IsEqual), "i < n" and
// "j < m" are linear in the hits, and the step count is bounded once, by
// one product n * m and one LessThan. Update (i, j) runs when i < n and
// j < m: one product; the updates' x are added up as one product x * count.

include "comparators.circom";
include "bounds.circom";

template Nested2(N) {
    signal input x;
    signal input n;
    signal input m;
    signal output s;

    var KN = (N - 5) \ 15;       // most rows (m = 0)
    var KM = (N - 20) \ 17;      // most columns (n = 1)

    signal hitN[KN + 1];
    var hitsN = 0;
    for (var v = 0; v <= KN; v++) {
        hitN[v] <== IsEqual()([n, v]);
        hitsN += hitN[v];
    }
    hitsN === 1;
    signal hitM[KM + 1];
    var hitsM = 0;
    for (var v = 0; v <= KM; v++) {
        hitM[v] <== IsEqual()([m, v]);
        hitsM += hitM[v];
    }
    // m is one of 0..KM unless n = 0 (then it is never compared).
    (1 - hitN[0]) * (1 - hitsM) === 0;

    // The step count, bounded once: n * m is 0 when n = 0, at most KN * KM otherwise.
    signal nm <== n * m;
    var most = 5 + 15 * KN + 17 * KN * KM;
    signal within <== LessThan(bitsFor(most))([5 + 15 * n + 17 * nm, N + 1]);
    within === 1;

    var belowN[KN];
    var seen = 0;
    for (var v = 0; v < KN; v++) {
        seen += hitN[v];
        belowN[v] = 1 - seen;   // v < n
    }
    var belowM[KM];
    seen = 0;
    for (var v = 0; v < KM; v++) {
        seen += hitM[v];
        belowM[v] = 1 - seen;   // v < m (when n != 0)
    }

    // Row i can run to column j only when (i + 1)(j + 1) fits: 5 + 15(i+1) + 17(i+1)(j+1) <= N.
    var pairs = 0;
    for (var i = 0; i < KN; i++) {
        for (var j = 0; j < KM; j++) {
            if (5 + 15 * (i + 1) + 17 * (i + 1) * (j + 1) <= N) pairs++;
        }
    }
    // s = Σ run(i, j) * (i * j + x) = Σ run(i, j) * i * j + x * (number of updates):
    // one product per update for run(i, j), and one for x.
    signal run[pairs];
    var acc = 0;
    var count = 0;
    var u = 0;
    for (var i = 0; i < KN; i++) {
        for (var j = 0; j < KM; j++) {
            if (5 + 15 * (i + 1) + 17 * (i + 1) * (j + 1) <= N) {
                run[u] <== belowN[i] * belowM[j];
                acc += run[u] * (i * j);
                count += run[u];
                u++;
            }
        }
    }
    signal xs <== x * count;
    acc += xs;
    s <== acc;
}
