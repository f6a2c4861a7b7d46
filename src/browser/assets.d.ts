/** Circom sources are bundled as text by esbuild's "text" loader (scripts/build-web.ts, the browser build). */
declare module "*.circom" {
  const text: string;
  export default text;
}

/** A worker's code, bundled into a string by the build (scripts/build-web.ts's worker plugin). */
declare module "zkvm-worker:circom" {
  const source: string;
  export default source;
}
