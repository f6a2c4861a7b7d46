pragma circom 2.1.0;

// Baseline for bench/programs/gcd.zkasm: gcd(a, b) by subtraction, for a
// public a and a private b whose run takes at most K iterations (the inputs
// whose run halts within the step bound).
//
// Iteration k: done when a == b (IsEqual), else a > b (LessThan(64)) says
// which one to subtract. SPEC's GT needs a, b < 2^64 when it runs: the
// inputs are range checked once, gated by "a != b" at the first test (a run
// with a == b compares nothing); subtraction keeps them in range, so later
// values are not re-checked. Once a == b nothing changes, so "a < b" is
// linear (not equal and not greater) and the run halts within K iterations
// exactly when a == b after K iterations (a linear constraint).

include "comparators.circom";
include "bitify.circom";

template Gcd(K) {
    signal input a;
    signal input b;
    signal output g;

    signal eq[K];
    signal gt[K];
    signal subA[K];
    signal subB[K];
    signal x[K + 1];
    signal y[K + 1];
    x[0] <== a;
    y[0] <== b;
    eq[0] <== IsEqual()([a, b]);
    signal aCompared <== (1 - eq[0]) * a;
    signal bCompared <== (1 - eq[0]) * b;
    component aRange = Num2Bits(64);
    aRange.in <== aCompared;
    component bRange = Num2Bits(64);
    bRange.in <== bCompared;
    for (var k = 0; k < K; k++) {
        if (k > 0) eq[k] <== IsEqual()([x[k], y[k]]);
        gt[k] <== LessThan(64)([y[k], x[k]]);
        subA[k] <== gt[k] * y[k];
        subB[k] <== (1 - eq[k] - gt[k]) * x[k];
        x[k + 1] <== x[k] - subA[k];
        y[k + 1] <== y[k] - subB[k];
    }
    x[K] === y[K];
    g <== x[K];
}
