/**
 * `reproduce --jobs N`: runs the plan as N shards in N Web Workers of this
 * process and regenerates the tables once all of them finish. Shards are
 * the same partition that `--shard i/n` uses, so a job array and `--jobs`
 * split the work identically.
 *
 * @module
 */

import { UserError } from "../config/errors.ts";
import { renderAllTables } from "../tables/mod.ts";
import { getLogLevel, logger } from "../util/log.ts";
import type { ReproduceOptions } from "./reproduce.ts";
import type { ShardWorkerReply, ShardWorkerRequest } from "./shard_worker.ts";

const log = logger("reproduce");

/** Outcome of a parallel reproduce: completed and failed runs, and the tables written. */
export interface ParallelSummary {
  completed: number;
  failed: string[];
  tables: string[];
}

/** Runs `options` as `jobs` shards in parallel workers, then renders the tables. */
export async function reproduceInParallel(
  options: ReproduceOptions,
  jobs: number,
): Promise<ParallelSummary> {
  const workers: Worker[] = [];
  const replies: Promise<ShardWorkerReply>[] = [];

  for (let index = 0; index < jobs; index++) {
    const worker = new Worker(new URL("./shard_worker.ts", import.meta.url), { type: "module" });
    workers.push(worker);
    replies.push(
      new Promise((resolve) => {
        worker.onmessage = (event: MessageEvent<ShardWorkerReply>) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          resolve({ kind: "error", message: event.message, details: [], stack: null, exitCode: 1 });
        };
      }),
    );

    const request: ShardWorkerRequest = {
      kind: "start",
      options: { ...options, shard: { index, count: jobs }, skipTables: true, signal: undefined },
      logLevel: getLogLevel(),
    };
    worker.postMessage(request);
  }
  log.info(`started ${jobs} workers, one shard each`);

  const onAbort = () => {
    for (const worker of workers) {
      worker.postMessage({ kind: "abort" } satisfies ShardWorkerRequest);
    }
  };
  options.signal?.addEventListener("abort", onAbort);

  let results: ShardWorkerReply[];
  try {
    results = await Promise.all(replies);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    for (const worker of workers) worker.terminate();
  }

  const summary: ParallelSummary = { completed: 0, failed: [], tables: [] };
  for (const [index, reply] of results.entries()) {
    if (reply.kind === "error") {
      throw new UserError(
        `Shard ${index}/${jobs} stopped: ${reply.message}`,
        [...reply.details, ...(reply.stack === null ? [] : [reply.stack])],
        reply.exitCode,
      );
    }
    summary.completed += reply.completed;
    summary.failed.push(...reply.failed);
  }

  if (!options.skipTables) {
    summary.tables = await renderAllTables(
      options.resultsDir,
      options.referencesPath,
      options.tablesDir,
    );
  }
  return summary;
}
