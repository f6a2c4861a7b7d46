pragma circom 2.1.0;

// Baseline for bench/programs/sum_up.zkasm: total = 1 + ... + n, for
// n <= K (the inputs whose run halts within the step bound).
//
// Term i = 1..K is added while the loop test "i > n" (GT, as LessThan(b) with
// the operands swapped) is false. The test is monotone in i, so "still
// running at term i" is just the test's negation and each term costs only its
// comparison; total = sum of i * (1 - (i > n)) is linear.

include "bounds.circom";

template SumUp(K) {
    signal input n;
    signal output total;

    AtMost(K)(n);
    var b = bitsFor(K);

    signal past[K + 1]; // past[i] = 1 if i > n
    var sum = 0;
    for (var i = 1; i <= K; i++) {
        past[i] <== LessThan(b)([n, i]);
        sum += i * (1 - past[i]);
    }
    total <== sum;
}
