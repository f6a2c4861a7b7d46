pragma circom 2.1.0;

// Gadgets the generated circuits use. Comparisons and bit decompositions are
// circomlib's audited templates; only NonZero is ours.
include "comparators.circom";
include "bitify.circom";

// out = 1 if in != 0 else 0, for JUMPI on a value that is not known to be boolean.
// IsZero pins out with two constraints (in * out = 0, out = 1 - in * inv), so
// out is boolean and correct for every in.
template NonZero() {
    signal input in;
    signal output out;
    signal isZero <== IsZero()(in);
    out <== 1 - isZero;
}

// x < y, where x is given by the W bits of its range check and y < 2^k, k < W.
// Reuses the range check's bits instead of decomposing x again: x < y exactly
// when x's high W - k bits are all zero and its low k bits are below y.
template NarrowLessThan(W, k) {
    signal input xBits[W];
    signal input y;
    signal output out;
    var low = 0;
    var high = 0;
    for (var i = 0; i < k; i++) low += xBits[i] * (1 << i);
    for (var i = k; i < W; i++) high += xBits[i] * (1 << (i - k));
    signal highZero <== IsZero()(high);
    signal lowLess <== LessThan(k)([low, y]);
    out <== highZero * lowLess;
}

// x > y, same inputs as NarrowLessThan: x > y exactly when a high bit of x is
// set or its low k bits are above y.
template NarrowGreaterThan(W, k) {
    signal input xBits[W];
    signal input y;
    signal output out;
    var low = 0;
    var high = 0;
    for (var i = 0; i < k; i++) low += xBits[i] * (1 << i);
    for (var i = k; i < W; i++) high += xBits[i] * (1 << (i - k));
    signal highZero <== IsZero()(high);
    signal lowGreater <== LessThan(k)([y, low]);
    out <== 1 - highZero * (1 - lowGreater);
}
