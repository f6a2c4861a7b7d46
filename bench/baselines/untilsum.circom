pragma circom 2.1.0;

// Baseline for bench/programs/untilsum.zkasm: while s < t { s = s + x; i = i + 1 },
// for a private x and a public t whose run halts within the step bound N:
// 5 + 13k <= N for the trip count k, so k <= K = (N - 5) \ 13.
//
// A competent circuit does not unroll the loop: the value compared at the
// j-th test is s_j = j * x, so it takes the trip count k as a hint and checks
// that k is the first j with s_j >= t:
//  - t < 2^64 (SPEC's LT faults on a larger operand; t is compared at test 0);
//  - k = 0 exactly when t = 0 (0 < t is the first test), and k <= K;
//  - when k >= 1, x < 2^64 (s_1 = x is compared) and s_k = k * x < 2^64
//    (compared by the last test). Then, as integers, s_j = j * x <= s_k for
//    every j <= k: every compared value is below 2^64 and the s_j increase;
//  - s_k >= t (the loop exits at test k) and s_{k-1} < t (so every earlier
//    test s_j < t, as s_j <= s_{k-1}).
// The cost does not depend on K but for the bits of k. The outputs are
// i = k and s = k * x.

include "comparators.circom";
include "bitify.circom";

template UntilSum(K) {
    signal input x;
    signal input t;
    signal output s;
    signal output i;

    component rangeT = Num2Bits(64);
    rangeT.in <== t;
    signal zeroT <== IsZero()(t);

    // The trip count, a hint: the first k with k * x >= t (as integers).
    var xs = x;
    var ts = t;
    signal k;
    k <-- ts == 0 ? 0 : (xs == 0 ? K + 1 : (ts + xs - 1) \ xs);
    var b = 1;
    while ((1 << b) <= K + 1) b++;
    component rangeK = Num2Bits(b);
    rangeK.in <== k;
    signal kFits <== LessThan(b)([k, K + 1]);
    kFits === 1;
    signal zeroK <== IsZero()(k);
    zeroK === zeroT;

    signal last <== k * x;               // s_k
    signal gatedX <== (1 - zeroT) * x;   // x where it is compared (k >= 1)
    component rangeX = Num2Bits(64);
    rangeX.in <== gatedX;
    component rangeLast = Num2Bits(64);
    rangeLast.in <== last;

    // Test k fails: s_k >= t.
    signal exits <== LessThan(64)([last, t]);
    exits === 0;
    // Test k - 1 succeeds: s_{k-1} = s_k - x < t (when k >= 1; for k = 0, 0 < 0 is 0).
    signal before <== LessThan(64)([last - gatedX, t]);
    before === 1 - zeroT;

    s <== last;
    i <== k;
}
