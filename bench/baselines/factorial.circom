pragma circom 2.1.0;

// Baseline for bench/programs/factorial.zkasm: f = n!, multiplying by
// n, n - 1, ..., 1, for n in {0..K} (the inputs whose run halts within the
// step bound; EQ has no operand range, so that is the whole domain).
//
// The loop test "n - j == 0" is IsEqual(n, j). At most one of them holds, so
// "still running at step j" = 1 - (hits up to j) is linear, and "n is one of
// 0..K" is "exactly one hit".

include "comparators.circom";

template Factorial(K) {
    signal input n;
    signal output f;

    signal hit[K + 1]; // hit[j] = 1 if n == j
    var hits = 0;
    for (var j = 0; j <= K; j++) {
        hit[j] <== IsEqual()([n, j]);
        hits += hit[j];
    }
    hits === 1;

    signal factor[K]; // n - j while running, else 1
    signal acc[K + 1];
    acc[0] <== 1;
    var running = 1;
    for (var j = 0; j < K; j++) {
        running -= hit[j];
        factor[j] <== running * (n - j - 1) + 1;
        acc[j + 1] <== acc[j] * factor[j];
    }
    f <== acc[K];
}
