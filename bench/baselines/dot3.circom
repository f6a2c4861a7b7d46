pragma circom 2.1.0;

// Baseline for bench/programs/dot3.zkasm: d = a . b for private L-vectors
// (L = 3 in the benchmark): one constraint per product, the sum is linear.
template Dot(L) {
    signal input a[L];
    signal input b[L];
    signal output d;

    signal product[L];
    var sum = 0;
    for (var i = 0; i < L; i++) {
        product[i] <== a[i] * b[i];
        sum += product[i];
    }
    d <== sum;
}
