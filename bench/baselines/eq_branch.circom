pragma circom 2.1.0;

// Baseline for bench/programs/eq_branch.zkasm: for i < n, y = y * x if i == t
// else y + i, for a public n in {0..K} (the inputs whose run halts within
// the step bound) and private x and t.
//
// "n == m" is IsEqual(n, m) for m = 0..K: exactly one holds (so n <= K and
// n < 2^64 as SPEC's LT requires), and "i < n" = 1 - (hits up to i) is
// linear. Each iteration costs its EQ (IsEqual(t, i)), the product y * x
// and the choice of the new y.

include "comparators.circom";

template EqBranch(K) {
    signal input n;
    signal input x;
    signal input t;
    signal output y;

    signal hit[K + 1]; // hit[m] = 1 if n == m
    var hits = 0;
    for (var m = 0; m <= K; m++) {
        hit[m] <== IsEqual()([n, m]);
        hits += hit[m];
    }
    hits === 1;

    signal isT[K];     // i == t
    signal product[K]; // y * x
    signal arm[K];     // the new y if the iteration runs
    signal acc[K + 1];
    acc[0] <== 0;
    var running = 1;
    for (var i = 0; i < K; i++) {
        running -= hit[i];
        isT[i] <== IsEqual()([i, t]);
        product[i] <== acc[i] * x;
        arm[i] <== acc[i] + i + isT[i] * (product[i] - acc[i] - i);
        acc[i + 1] <== acc[i] + running * (arm[i] - acc[i]);
    }
    y <== acc[K];
}
