pragma circom 2.1.0;

// Baseline for bench/programs/pow_down.zkasm: y = x^e, for a private x and a
// public e in {0..K} (the inputs whose run halts within the step bound).
//
// The loop ends when the count-down reaches 0, i.e. after exactly e
// multiplications: "e == j" is IsEqual(e, j), at most one holds, so "still
// running at multiplication j" = 1 - (hits up to j) is linear and "e is one
// of 0..K" is "exactly one hit" (which also gives SPEC's e < 2^64).

include "comparators.circom";

template PowDown(K) {
    signal input x;
    signal input e;
    signal output y;

    signal hit[K + 1]; // hit[j] = 1 if e == j
    var hits = 0;
    for (var j = 0; j <= K; j++) {
        hit[j] <== IsEqual()([e, j]);
        hits += hit[j];
    }
    hits === 1;

    signal factor[K]; // x while running, else 1
    signal acc[K + 1];
    acc[0] <== 1;
    var running = 1;
    for (var j = 0; j < K; j++) {
        running -= hit[j];
        factor[j] <== running * (x - 1) + 1;
        acc[j + 1] <== acc[j] * factor[j];
    }
    y <== acc[K];
}
