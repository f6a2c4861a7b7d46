/**
 * The direct setup on files (Node): reads the .r1cs, streams the key into a
 * temporary sibling of `zkeyPath` and renames it into place only once it is
 * complete, so an interrupted setup never leaves half a key and never
 * replaces a previous good one; the temporaries of setups that were killed
 * are removed by the next setup of the same key.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { errorMessage, PipelineError } from "../pipeline/errors.js";
import {
  isErrnoException,
  replaceWith,
  sweepDeadTemporaries,
  tempSibling,
} from "../pipeline/fsutil.js";
import { directSetup, type DirectSetupOptions, type DirectSetupResult } from "./setup.js";

export async function directSetupFiles(
  r1csPath: string,
  zkeyPath: string,
  options: DirectSetupOptions = {},
): Promise<DirectSetupResult> {
  let r1cs: Uint8Array;
  try {
    r1cs = await fsp.readFile(r1csPath);
  } catch (e) {
    const code = isErrnoException(e) && e.code === "ENOENT" ? "FILE_NOT_FOUND" : "R1CS_INVALID";
    throw new PipelineError(code, `cannot read ${r1csPath}: ${errorMessage(e)}`, {
      cause: e,
      path: r1csPath,
    });
  }
  // Keys half-written by setups whose process was killed (they can be large).
  await sweepDeadTemporaries(path.dirname(zkeyPath));
  const tmp = tempSibling(zkeyPath, ".zkey");
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tmp, "wx");
  } catch (e) {
    throw new PipelineError("FILE_UNWRITABLE", `cannot write ${zkeyPath}: ${errorMessage(e)}`, {
      cause: e,
      path: zkeyPath,
    });
  }
  try {
    const result = await directSetup(
      r1cs,
      {
        write: async (chunk) => {
          try {
            await fh.write(chunk);
          } catch (e) {
            throw new PipelineError(
              "FILE_UNWRITABLE",
              `cannot write ${zkeyPath}: ${errorMessage(e)}`,
              { cause: e, path: zkeyPath },
            );
          }
        },
      },
      options,
    );
    await fh.sync();
    await fh.close();
    await replaceWith(tmp, zkeyPath);
    return result;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    if (e instanceof PipelineError) throw e;
    throw new PipelineError("SETUP_FAILED", `direct setup failed: ${errorMessage(e)}`, {
      cause: e,
      path: zkeyPath,
    });
  }
}
