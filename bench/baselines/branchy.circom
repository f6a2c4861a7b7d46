pragma circom 2.1.0;

// Baseline for bench/programs/branchy.zkasm: for i < n { if i < t then
// a = a * x else b = b + a }, for a public n and private x, t whose run
// halts within the step bound N: 7 + 18n <= N, i.e. n <= K = (N - 7) \ 18.
//
// n is one-hot over 0..K (IsEqual): that bounds the loop and rules out the
// n >= 2^64 for which LT faults; "i < n" is linear in its hits. t is one-hot
// over 0..K - 1 too, and "every other value", which then must be below 2^64
// when the loop runs at all (LT compares it at i = 0): one range check of
// t gated by n != 0. "i < t" is linear in t's hits. Each iteration costs the
// product a * x, the choice of the new a by "i < t", and the new b by
// "runs and i >= t".

include "comparators.circom";
include "bitify.circom";

template Branchy(K) {
    signal input n;
    signal input x;
    signal input t;
    signal output b;

    signal hitN[K + 1];
    var hitsN = 0;
    for (var v = 0; v <= K; v++) {
        hitN[v] <== IsEqual()([n, v]);
        hitsN += hitN[v];
    }
    hitsN === 1;

    signal hitT[K];
    var hitsT = 0;
    for (var v = 0; v < K; v++) {
        hitT[v] <== IsEqual()([t, v]);
        hitsT += hitT[v];
    }
    // t is compared when n != 0: then it must be below 2^64.
    signal compared <== (1 - hitN[0]) * t;
    component rangeT = Num2Bits(64);
    rangeT.in <== compared;

    signal power[K];   // a * x
    signal runAdd[K];  // the iteration runs and i >= t
    signal aNext[K + 1];
    signal bNext[K + 1];
    aNext[0] <== 1;
    bNext[0] <== 0;
    var running = 1;
    var belowT = 1;
    for (var i = 0; i < K; i++) {
        running -= hitN[i];
        belowT -= hitT[i];
        power[i] <== aNext[i] * x;
        // a is read only by later iterations that run: it may follow i < t alone.
        aNext[i + 1] <== aNext[i] + belowT * (power[i] - aNext[i]);
        runAdd[i] <== running * (1 - belowT);
        bNext[i + 1] <== bNext[i] + runAdd[i] * aNext[i];
    }
    b <== bNext[K];
}
