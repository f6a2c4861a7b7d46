pragma circom 2.1.0;

// Helpers shared by the loop baselines.

include "comparators.circom";
include "bitify.circom";

// The fewest bits b >= 1 with v < 2^b: the width of a comparison whose
// operands are known to be at most v.
function bitsFor(v) {
    var b = 1;
    while ((1 << b) <= v) {
        b++;
    }
    return b;
}

// in <= K, enforced (and so also in < 2^64, as SPEC's LT/GT require of a
// compared input): the one range check of a loop bound that is compared.
// Num2Bits(b) makes in < 2^b, after which LessThan(b) is exact.
template AtMost(K) {
    signal input in;
    var b = bitsFor(K);
    component range = Num2Bits(b);
    range.in <== in;
    signal ok <== LessThan(b)([in, K + 1]);
    ok === 1;
}
