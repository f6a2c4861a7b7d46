pragma circom 2.1.0;

// Baseline for bench/programs/untilsum.zkasm: while s < t { s = s + x; i = i + 1 },
// for a private x and a public t whose run halts within the step bound N:
// 5 + 14k <= N for the trip count k, so at most K = (N - 5) \ 14 iterations.
//
// The value compared at the j-th test is s_j = j * x (linear). SPEC's LT
// faults on an operand of 2^64 or more, so t is range checked once and each
// s_j that is compared (the run is still going) once, then compared by
// LessThan(64). "Still running" is the product of the tests so far; the run
// must have stopped after K iterations. The outputs are i = k and s = k * x.

include "comparators.circom";
include "bitify.circom";

template UntilSum(K) {
    signal input x;
    signal input t;
    signal output s;
    signal output i;

    component rangeT = Num2Bits(64);
    rangeT.in <== t;

    // Test 0 compares s_0 = 0 with t: 0 < t.
    signal running[K + 2];
    running[0] <== 1;
    signal zeroT <== IsZero()(t);
    running[1] <== 1 - zeroT;

    signal gated[K + 1];    // running[j] * x
    signal below[K + 1];    // s_j < t
    component range[K + 1];
    for (var j = 1; j <= K; j++) {
        gated[j] <== running[j] * x;
        range[j] = Num2Bits(64);
        range[j].in <== j * gated[j];
        below[j] <== LessThan(64)([j * gated[j], t]);
        running[j + 1] <== running[j] * below[j];
    }
    // Halts within N: no test after the K-th iteration succeeds.
    running[K + 1] === 0;

    var k = 0;
    for (var j = 1; j <= K; j++) k += running[j];
    i <== k;
    s <== k * x;
}
