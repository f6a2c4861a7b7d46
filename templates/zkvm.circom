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
