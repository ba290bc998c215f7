/**
 * Progress of a long reproduce run: which run unit of how many, the stage,
 * epoch and step, the step rate and an ETA for the current stage. On a
 * terminal it redraws one status line on stderr; elsewhere (CI logs) it
 * logs a line at most every `intervalSeconds`.
 *
 * @module
 */

import { logger } from "../util/log.ts";

const log = logger("progress");

/** Where a run stands, as reported by the training loops. */
export interface StepProgress {
  stage: "search" | "evaluation" | "random-search";
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
}

/** Tracks one run unit and renders its progress. */
export class ProgressReporter {
  private readonly interactive: boolean;
  private readonly intervalSeconds: number;
  private unitLabel = "";
  private stageStart = 0;
  private stageKey = "";
  private stepsDone = 0;
  private lastPrinted = 0;

  constructor(options: { interactive?: boolean; intervalSeconds?: number } = {}) {
    this.interactive = options.interactive ?? Deno.stderr.isTerminal();
    this.intervalSeconds = options.intervalSeconds ?? 30;
  }

  /** Starts unit `index` (1-based) of `count`, labelled for example `mnist vinnas seed 0`. */
  startUnit(index: number, count: number, label: string): void {
    this.clearLine();
    this.unitLabel = `run ${index}/${count} ${label}`;
    log.info(`${this.unitLabel}: started`);
  }

  /** Records that a step finished; renders when due. */
  step(progress: StepProgress): void {
    const key = `${progress.stage}`;
    const now = performance.now() / 1000;
    if (key !== this.stageKey) {
      this.stageKey = key;
      this.stageStart = now;
      this.stepsDone = 0;
    }
    this.stepsDone += 1;

    const elapsed = now - this.stageStart;
    const rate = this.stepsDone / Math.max(elapsed, 1e-9);
    const total = progress.epochs * progress.steps;
    const done = (progress.epoch - 1) * progress.steps + progress.step;
    const eta = rate > 0 ? (total - done) / rate : Infinity;

    const line =
      `${this.unitLabel}  ${progress.stage}  epoch ${progress.epoch}/${progress.epochs}` +
      `  step ${progress.step}/${progress.steps}  ${rate.toFixed(2)} steps/s  ETA ${
        formatDuration(eta)
      }`;

    if (this.interactive) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
      return;
    }
    if (now - this.lastPrinted >= this.intervalSeconds) {
      this.lastPrinted = now;
      log.info(line);
    }
  }

  /** Erases the status line so that log lines do not mix with it. */
  clearLine(): void {
    if (this.interactive) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
  }
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`; non-finite values as `?`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";

  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, "0")}s`;
  return `${rest}s`;
}
