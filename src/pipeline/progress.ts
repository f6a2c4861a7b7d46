/**
 * Progress reporting: the pipeline never prints; long stages report their
 * start and end (with elapsed milliseconds) through an optional callback.
 */

export interface ProgressEvent {
  /** e.g. "circom", "ptau:new", "ptau:contribute", "ptau:prepare", "zkey:setup", "witness", "prove". */
  stage: string;
  message: string;
  /** Set on the event that ends a stage. */
  elapsedMs?: number;
}

export type Progress = (e: ProgressEvent) => void;

/** Call the callback, never letting a throwing callback break the pipeline. */
export function report(onProgress: Progress | undefined, e: ProgressEvent): void {
  if (onProgress === undefined) return;
  try {
    onProgress(e);
  } catch {
    // A progress callback must not be able to fail a build.
  }
}

/**
 * Run `fn` as a stage: report "<label>..." at the start and "<label> done" with
 * the elapsed time at the end (or "<label> failed" if it throws). Returns the
 * result and the elapsed milliseconds.
 */
export async function timed<T>(
  onProgress: Progress | undefined,
  stage: string,
  label: string,
  fn: () => Promise<T>,
): Promise<{ result: T; elapsedMs: number }> {
  const start = performance.now();
  report(onProgress, { stage, message: `${label}...` });
  try {
    const result = await fn();
    const elapsedMs = Math.round(performance.now() - start);
    report(onProgress, { stage, message: `${label} done`, elapsedMs });
    return { result, elapsedMs };
  } catch (e) {
    const elapsedMs = Math.round(performance.now() - start);
    report(onProgress, { stage, message: `${label} failed`, elapsedMs });
    throw e;
  }
}
