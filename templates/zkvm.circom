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

// 1 when bits[k..W-1] are all zero, else 0: with LowBits, splits a range-checked
// value at bit k so that a comparison with a k-bit value needs only LessThan(k).
template HighBitsZero(W, k) {
    signal input bits[W];
    signal output out;
    var high = 0;
    for (var i = k; i < W; i++) high += bits[i] * (1 << (i - k));
    out <== IsZero()(high);
}

// The value of bits[0..k-1] (a linear combination: no constraint after --O2).
template LowBits(W, k) {
    signal input bits[W];
    signal output out;
    var low = 0;
    for (var i = 0; i < k; i++) low += bits[i] * (1 << i);
    out <== low;
}
