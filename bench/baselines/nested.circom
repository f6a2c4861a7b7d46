pragma circom 2.1.0;

// Baseline for bench/programs/nested.zkasm: for i < n { for j < n { y = y * x + i } },
// for a private x and a public n in {0..K} (the inputs whose run halts
// within the step bound).
//
// "n == m" is IsEqual(n, m) for m = 0..K: exactly one holds (so n <= K, and
// n < 2^64 as SPEC's LT requires), and "m < n" = 1 - (hits up to m) is
// linear. Update (i, j) runs when i < n and j < n, i.e. max(i, j) < n: also
// linear. Each update costs its product y * x and the choice of the new y.

include "comparators.circom";

template Nested(K) {
    signal input x;
    signal input n;
    signal output y;

    signal hit[K + 1]; // hit[m] = 1 if n == m
    var hits = 0;
    for (var m = 0; m <= K; m++) {
        hit[m] <== IsEqual()([n, m]);
        hits += hit[m];
    }
    hits === 1;
    var below[K]; // below[m] = 1 if m < n (linear)
    var seen = 0;
    for (var m = 0; m < K; m++) {
        seen += hit[m];
        below[m] = 1 - seen;
    }

    signal product[K * K];
    signal acc[K * K + 1];
    acc[0] <== 0;
    for (var i = 0; i < K; i++) {
        for (var j = 0; j < K; j++) {
            var u = i * K + j;
            var runs = i > j ? below[i] : below[j];
            product[u] <== acc[u] * x;
            acc[u + 1] <== acc[u] + runs * (product[u] + i - acc[u]);
        }
    }
    y <== acc[K * K];
}
