/** Circom sources are bundled as text by esbuild's "text" loader (scripts/build-web.ts, the browser build). */
declare module "*.circom" {
  const text: string;
  export default text;
}
