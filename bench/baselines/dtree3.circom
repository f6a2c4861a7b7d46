pragma circom 2.1.0;

// Baseline for bench/programs/dtree3.zkasm: a decision tree over a, b, c.
// Each input is compared only on its own branch, and SPEC's LT faults on an
// operand >= 2^64: so a is range checked always, b only when a < 10 and c
// only when a >= 10 (the input gated by its branch's flag: a branch not
// taken checks 0). A comparison with a small constant reads the check's
// bits: the high bits are zero and the low k bits are below the constant.
// y is chosen among the four leaves by the three flags.

include "comparators.circom";
include "bitify.circom";
include "zkvm.circom";

// v < K for a v whose Num2Bits(64) bits are given, K < 2^k.
template SmallLess(k, K) {
    signal input bits[64];
    signal output out;
    signal high <== HighBitsZero(64, k)(bits);
    signal low <== LowBits(64, k)(bits);
    signal lowLess <== LessThan(k)([low, K]);
    out <== high * lowLess;
}

template DTree3() {
    signal input x;
    signal input a;
    signal input b;
    signal input c;
    signal output y;

    signal left <== SmallLess(4, 10)(Num2Bits(64)(a));
    signal gb <== left * b;
    signal bLess <== SmallLess(5, 20)(Num2Bits(64)(gb));
    signal gc <== (1 - left) * c;
    signal cLess <== SmallLess(5, 30)(Num2Bits(64)(gc));

    signal x2 <== x * x;
    signal x3 <== x2 * x;
    signal lv <== x2 + bLess * (x + 1 - x2);
    signal rv <== x3 + cLess * (3 * x - x3);
    y <== rv + left * (lv - rv);
}
