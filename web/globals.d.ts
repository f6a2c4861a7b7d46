/** Values the build (scripts/build-web.ts) inlines into the playground bundle. */

/** examples/: each program's source and its JSON of cases, by name. */
declare const __ZKVM_EXAMPLES__: ReadonlyArray<{
  name: string;
  source: string;
  spec: {
    description?: string;
    steps?: number;
    cases: Array<{
      inputs: Record<string, string>;
      outputs?: Record<string, string>;
      steps?: number;
      error?: string;
    }>;
  };
}>;

/** snarkjs's templates/verifier_groth16.sol.ejs. */
declare const __GROTH16_VERIFIER_TEMPLATE__: string;
