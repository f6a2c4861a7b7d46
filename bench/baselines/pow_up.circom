pragma circom 2.1.0;

// Baseline for bench/programs/pow_up.zkasm: y = x^e, for a private x and a
// public e <= K (the inputs whose run halts within the step bound).
//
// Multiplication j = 0..K-1 happens when the loop test "j < e" (LT) holds; it
// multiplies by x when it happens and by 1 otherwise.

include "bounds.circom";

template PowUp(K) {
    signal input x;
    signal input e;
    signal output y;

    AtMost(K)(e);
    var b = bitsFor(K);

    signal runs[K];   // runs[j] = 1 if j < e
    signal factor[K]; // x if runs[j], else 1
    signal acc[K + 1];
    acc[0] <== 1;
    for (var j = 0; j < K; j++) {
        runs[j] <== LessThan(b)([j, e]);
        factor[j] <== runs[j] * (x - 1) + 1;
        acc[j + 1] <== acc[j] * factor[j];
    }
    y <== acc[K];
}
