pragma circom 2.1.0;

// Baseline for bench/programs/sumbound.zkasm: for i < n + m { y = y * x + i },
// for a private x and public n, m whose run halts within the step bound N:
// 9 + 15(n + m) <= N, i.e. k = n + m (as a field element) is at most K.
//
// k is one-hot over 0..K (IsEqual): that bounds the loop and rules out the
// k >= 2^64 for which LT faults. "i < k" is linear in the hits; each
// iteration costs its product y * x and the choice of the new y.

include "comparators.circom";

template SumBound(N) {
    signal input x;
    signal input n;
    signal input m;
    signal output y;

    var K = (N - 9) \ 15;
    signal hit[K + 1];
    var hits = 0;
    for (var v = 0; v <= K; v++) {
        hit[v] <== IsEqual()([n + m, v]);
        hits += hit[v];
    }
    hits === 1;

    signal product[K];
    signal acc[K + 1];
    acc[0] <== 0;
    var seen = 0;
    for (var i = 0; i < K; i++) {
        seen += hit[i];
        product[i] <== acc[i] * x;
        acc[i + 1] <== acc[i] + (1 - seen) * (product[i] + i - acc[i]);
    }
    y <== acc[K];
}
