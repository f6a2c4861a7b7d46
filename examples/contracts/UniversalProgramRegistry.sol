// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Example consumer of a zkvm UNIVERSAL verifier: one deployed Groth16 verifier
// serves every program within the universal circuit's bounds, so the consumer
// must say which program it trusts. It does so by the program hash that
// `zkvm hash <program>` prints: a proof whose first public signal is another
// hash proves another program's execution and is refused.
//
// Public signals of a universal proof: [programHash, out[OUT]..., publicIn[IN]...],
// unused slots zero. N_PUBLIC = 1 + OUT + IN; this file is written for OUT = 3,
// IN = 3 and compiles as it is; rewrite the N_PUBLIC line for other bounds.
// A proof is not bound to its sender: anyone who sees it can submit it too.

uint256 constant N_PUBLIC = 7;

interface IGroth16Verifier {
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[N_PUBLIC] calldata _pubSignals
    ) external view returns (bool);
}

contract UniversalProgramRegistry {
    IGroth16Verifier public immutable verifier;
    /// The only program whose proven outputs this registry accepts.
    uint256 public immutable programHash;

    /// The last proven first output each account submitted.
    mapping(address => uint256) public outputOf;

    event OutputProven(address indexed submitter, uint256 output, uint256[N_PUBLIC] publicSignals);

    error WrongProgram(uint256 proven, uint256 expected);
    error InvalidProof();

    constructor(IGroth16Verifier verifier_, uint256 programHash_) {
        verifier = verifier_;
        programHash = programHash_;
    }

    /// Stores out[0] for msg.sender when the proof is valid and about the expected program.
    function submit(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[N_PUBLIC] calldata pubSignals
    ) external returns (uint256 output) {
        if (pubSignals[0] != programHash) revert WrongProgram(pubSignals[0], programHash);
        if (!verifier.verifyProof(a, b, c, pubSignals)) revert InvalidProof();
        output = pubSignals[1];
        outputOf[msg.sender] = output;
        emit OutputProven(msg.sender, output, pubSignals);
    }
}
