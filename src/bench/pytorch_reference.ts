/**
 * The PyTorch column of the benchmark: runs `bench/pytorch_search_step.py`
 * with Debian's `/usr/bin/python3` (package python3-torch) for the same
 * cases as tfjs, one process per case and thread count.
 *
 * @module
 */

import type { StepCaseRequest, StepCaseStatus } from "./step_case.ts";

/** The interpreter the suite runs; Debian's python3-torch installs torch for it. */
export const PYTHON = "/usr/bin/python3";

/** Whether PyTorch can run here, and its version or the reason it cannot. */
export interface PytorchProbe {
  available: boolean;
  version?: string;
  /** torch.get_num_threads() before the script sets it. */
  defaultThreads?: number;
  reason?: string;
}

/** One PyTorch case at one thread count. */
export interface PytorchCaseResult {
  threads: number;
  status: StepCaseStatus;
  reason?: string;
  firstStepMs?: number;
  stepMs?: number[];
  peakRssBytes?: number;
}

/** Returns whether `/usr/bin/python3` can import torch. */
export async function probePytorch(): Promise<PytorchProbe> {
  try {
    const output = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch; print(torch.__version__, torch.get_num_threads())"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const error = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1) ?? "";
      return {
        available: false,
        reason: `${PYTHON} cannot import torch (${error}); install Debian's python3-torch`,
      };
    }
    const [version, threads] = new TextDecoder().decode(output.stdout).trim().split(" ");
    return { available: true, version, defaultThreads: Number(threads) };
  } catch (error) {
    return {
      available: false,
      reason: `${PYTHON} could not be started (${(error as Error).message}); install python3 ` +
        "and python3-torch",
    };
  }
}

/**
 * Runs `request` in PyTorch with `threads` intra-op threads, capping the
 * process's address space at `memoryLimitBytes`.
 */
export async function runPytorchCase(
  request: StepCaseRequest,
  threads: number,
  memoryLimitBytes: number,
  timeoutMs: number,
): Promise<PytorchCaseResult> {
  const script = decodeURIComponent(
    new URL("../../bench/pytorch_search_step.py", import.meta.url).pathname,
  );
  const body = {
    case: request.kind,
    threads,
    batch: request.batch,
    size: request.size,
    inputChannels: request.inputChannels,
    cells: request.cells,
    initChannels: request.initChannels,
    classes: request.classes,
    warmup: request.warmup,
    repeats: request.repeats,
    maxStepMs: request.maxStepMs,
    memoryLimitBytes,
  };

  try {
    const output = await new Deno.Command(PYTHON, {
      args: [script, JSON.stringify(body)],
      // Idle OpenMP threads sleep instead of spinning: on a 2-core machine
      // shared with other processes, spinning threads stall each other.
      env: { OMP_WAIT_POLICY: "PASSIVE" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const text = new TextDecoder().decode(output.stdout).trim();
    if (!output.success || text === "") {
      const error = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-2).join(" ");
      return { threads, status: "failed", reason: `exit code ${output.code}: ${error}` };
    }
    const parsed = JSON.parse(text.split("\n").at(-1)!);
    return {
      threads: parsed.threads,
      status: parsed.status,
      reason: parsed.reason,
      firstStepMs: parsed.firstStepMs,
      stepMs: parsed.stepMs,
      peakRssBytes: parsed.peakRssBytes,
    };
  } catch (error) {
    const timedOut = (error as Error).name === "AbortError" ||
      (error as Error).name === "TimeoutError";
    return {
      threads,
      status: timedOut ? "too-slow" : "failed",
      reason: timedOut
        ? `the first steps did not finish within ${(timeoutMs / 1000).toFixed(0)} s`
        : (error as Error).message,
    };
  }
}
