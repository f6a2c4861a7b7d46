pragma circom 2.1.0;

// Baseline for bench/programs/minmax4.zkasm: lo = min and hi = max of four
// private inputs, replacing the running minimum (LT) and maximum (GT) in
// turn. Each input is compared, so each is range checked once (SPEC: an
// operand of 2^64 or more faults); then six 64-bit LessThan and six
// selections.

include "comparators.circom";
include "bitify.circom";

template MinMax4() {
    signal input a;
    signal input b;
    signal input c;
    signal input d;
    signal output lo;
    signal output hi;

    signal v[4] <== [a, b, c, d];
    component range[4];
    for (var i = 0; i < 4; i++) {
        range[i] = Num2Bits(64);
        range[i].in <== v[i];
    }

    signal less[3];
    signal more[3];
    signal mins[4];
    signal maxs[4];
    mins[0] <== a;
    maxs[0] <== a;
    for (var i = 1; i < 4; i++) {
        less[i - 1] <== LessThan(64)([v[i], mins[i - 1]]);
        mins[i] <== mins[i - 1] + less[i - 1] * (v[i] - mins[i - 1]);
        more[i - 1] <== LessThan(64)([maxs[i - 1], v[i]]);
        maxs[i] <== maxs[i - 1] + more[i - 1] * (v[i] - maxs[i - 1]);
    }
    lo <== mins[3];
    hi <== maxs[3];
}
