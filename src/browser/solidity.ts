/**
 * The Solidity verifier from snarkjs's Groth16 template in a page. snarkjs's
 * browser build leaves out ejs (its `exportSolidityVerifier` fails there with
 * "render is not a function"), so the template's two tag kinds are rendered
 * here: `<%= expr %>` (a value, escaped as ejs escapes it) and `<% code %>`
 * (JavaScript, the template's loops). The template itself comes from the
 * caller, as with snarkjs's own library; the browser tests check the result
 * is byte-identical to `zkvm export-verifier` in Node.
 */
import type { Groth16VerificationKey } from "./snarkjs.js";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Renders an ejs template whose free names are the keys of `data`. */
export function renderTemplate(template: string, data: Record<string, unknown>): string {
  const body: string[] = ["let __out = '';"];
  const tag = /<%(=?)([\s\S]*?)%>/g;
  let at = 0;
  for (let m = tag.exec(template); m !== null; m = tag.exec(template)) {
    body.push(`__out += ${JSON.stringify(template.slice(at, m.index))};`);
    body.push(m[1] === "=" ? `__out += __escape(${m[2]});` : m[2]!);
    at = m.index + m[0].length;
  }
  body.push(`__out += ${JSON.stringify(template.slice(at))};`, "return __out;");
  const names = Object.keys(data);
  const render = new Function("__escape", ...names, body.join("\n")) as (
    ...args: unknown[]
  ) => string;
  return render(escapeXml, ...names.map((n) => data[n]));
}

/** The Groth16 verifier contract for a verification key (snarkjs's verifier_groth16.sol.ejs). */
export function solidityVerifier(vkey: Groth16VerificationKey, groth16Template: string): string {
  return renderTemplate(groth16Template, { ...vkey });
}
