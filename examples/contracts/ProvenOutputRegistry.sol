// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Example consumer of a zkvm Groth16 verifier (the contract that
// `exportSolidityVerifier` renders from snarkjs's template).
//
// The verifier's `verifyProof` takes a fixed-size `uint[N] calldata` of public
// signals, N being the circuit's number of public signals. This file is written
// for N = 2 and compiles as it is; `consumerContractSource(n)` in
// src/evm/consumer.ts rewrites the N_PUBLIC line below for another program.
//
// snarkjs orders public signals outputs first, so pubSignals[0] is the program's
// (first) output. A proof is not bound to its sender: anyone who sees a proof can
// submit it too, which is harmless here because nothing is paid out.

uint256 constant N_PUBLIC = 2;

interface IGroth16Verifier {
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[N_PUBLIC] calldata _pubSignals
    ) external view returns (bool);
}

contract ProvenOutputRegistry {
    IGroth16Verifier public immutable verifier;

    /// The last proven output each account submitted, and whether it has submitted one.
    mapping(address => uint256) public outputOf;
    mapping(address => bool) public hasOutput;

    event OutputProven(address indexed submitter, uint256 output, uint256[N_PUBLIC] publicSignals);

    error InvalidProof();

    constructor(IGroth16Verifier verifier_) {
        verifier = verifier_;
    }

    /// Verifies the proof and stores pubSignals[0] for msg.sender; reverts with
    /// InvalidProof() (storing nothing) when the verifier says false.
    function submit(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[N_PUBLIC] calldata pubSignals
    ) external returns (uint256 output) {
        if (!verifier.verifyProof(a, b, c, pubSignals)) revert InvalidProof();
        output = pubSignals[0];
        outputOf[msg.sender] = output;
        hasOutput[msg.sender] = true;
        emit OutputProven(msg.sender, output, pubSignals);
    }
}
