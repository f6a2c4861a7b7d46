/**
 * The direct setup on files (Node): reads the .r1cs, streams the key into a
 * temporary sibling of `zkeyPath` and renames it into place only once it is
 * complete, so an interrupted setup never leaves half a key and never
 * replaces a previous good one.
 */
import { promises as fsp } from "node:fs";
import { errorMessage, PipelineError } from "../pipeline/errors.js";
import { isErrnoException, tempSibling } from "../pipeline/fsutil.js";
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
          await fh.write(chunk);
        },
      },
      options,
    );
    await fh.sync();
    await fh.close();
    await fsp.rename(tmp, zkeyPath);
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
