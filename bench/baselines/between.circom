pragma circom 2.1.0;

// Baseline for bench/programs/between.zkasm: inside = (lo < x) * (x < hi).
// SPEC's LT compares 64-bit unsigned integers and faults on an operand of
// 2^64 or more, so each compared input is range checked once; then two
// 64-bit LessThan and one product.

include "comparators.circom";
include "bitify.circom";

template Between() {
    signal input lo;
    signal input hi;
    signal input x;
    signal output inside;

    component loRange = Num2Bits(64);
    loRange.in <== lo;
    component xRange = Num2Bits(64);
    xRange.in <== x;
    component hiRange = Num2Bits(64);
    hiRange.in <== hi;

    signal above <== LessThan(64)([lo, x]);
    signal below <== LessThan(64)([x, hi]);
    inside <== above * below;
}
