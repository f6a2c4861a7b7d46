pragma circom 2.1.0;

// Baseline for bench/programs/poly5.zkasm: y = x^5 - 3x^2 + 7.
// x^2, x^4 = (x^2)^2 and x^5 = x^4 * x: three constraints; -3x^2 + 7 is linear.
template Poly5() {
    signal input x;
    signal output y;

    signal x2 <== x * x;
    signal x4 <== x2 * x2;
    y <== x4 * x - 3 * x2 + 7;
}
