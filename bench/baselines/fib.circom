pragma circom 2.1.0;

// Baseline for bench/programs/fib.zkasm: f = F(n), for n <= K (the inputs
// whose run halts within the step bound).
//
// Step j = 0..K-1 of (f, b) = (b, f + b) happens when j < n (the guard
// "n > 0" for j = 0, the bottom test "i < n" after it): LessThan(b) then two
// selected updates.

include "bounds.circom";

template Fib(K) {
    signal input n;
    signal output f;

    AtMost(K)(n);
    var b = bitsFor(K);

    signal runs[K]; // runs[j] = 1 if j < n
    signal fs[K + 1];
    signal bs[K + 1];
    fs[0] <== 0;
    bs[0] <== 1;
    for (var j = 0; j < K; j++) {
        runs[j] <== LessThan(b)([j, n]);
        fs[j + 1] <== fs[j] + runs[j] * (bs[j] - fs[j]);
        bs[j + 1] <== bs[j] + runs[j] * fs[j];
    }
    f <== fs[K];
}
