/** The bundle of bench/prover-browser.ts's page: both provers on a key's and a witness's bytes. */
export { proveGroth16 } from "../src/browser/groth16.js";
