/**
 * Runs a benchmark case in a fresh worker: every case gets its own tfjs and
 * wasm heap, so a case that exhausts the 4 GiB wasm heap or runs too long
 * is stopped without affecting the next one.
 *
 * @module
 */

import type { StepCaseRequest, StepCaseResult } from "./step_case.ts";

/** Runs `request` in a worker; a case still running after `timeoutMs` is stopped as too slow. */
export function runCaseInWorker(
  request: StepCaseRequest,
  timeoutMs: number,
): Promise<StepCaseResult> {
  const worker = new Worker(new URL("./case_worker.ts", import.meta.url).href, {
    type: "module",
  });

  return new Promise((resolve) => {
    const finish = (result: StepCaseResult) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() =>
      finish({
        request,
        status: "too-slow",
        reason: `the first steps did not finish within ${(timeoutMs / 1000).toFixed(0)} s`,
      }), timeoutMs);

    worker.onmessage = (event: MessageEvent<StepCaseResult>) => finish(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const reason = event.message;
      const outOfMemory = /memory access out of bounds|out of memory|OOM/i.test(reason);
      finish({ request, status: outOfMemory ? "out-of-memory" : "failed", reason });
    };
    worker.postMessage(request);
  });
}
