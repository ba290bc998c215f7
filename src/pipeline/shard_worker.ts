/**
 * A Web Worker that runs one shard of a reproduce plan, so that `reproduce
 * --jobs N` keeps N cores busy: each tfjs backend (wasm included) trains on
 * one thread, and each worker has its own tfjs instance.
 *
 * Protocol: the parent posts `{ kind: "start", options }`, and later
 * `{ kind: "abort" }` on Ctrl-C; the worker posts one
 * `{ kind: "done", completed, failed }` or `{ kind: "error", message, stack, exitCode }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { UserError } from "../config/errors.ts";
import { type LogLevel, setLogLevel, setLogSink } from "../util/log.ts";
import { reproduce, type ReproduceOptions } from "./reproduce.ts";

/** Messages from the parent. */
export type ShardWorkerRequest =
  | { kind: "start"; options: ReproduceOptions; logLevel: LogLevel }
  | { kind: "abort" };

/** Messages to the parent. */
export type ShardWorkerReply =
  | { kind: "done"; completed: number; failed: string[] }
  | {
    kind: "error";
    message: string;
    details: readonly string[];
    stack: string | null;
    exitCode: number;
  };

const controller = new AbortController();

self.onmessage = async (event: MessageEvent<ShardWorkerRequest>) => {
  const request = event.data;
  if (request.kind === "abort") {
    controller.abort(
      new UserError(
        "Interrupted. Run the same command again to resume from the last checkpoint.",
        [],
        130,
      ),
    );
    return;
  }

  setLogLevel(request.logLevel);

  // Lines of parallel workers interleave on stderr, so each names its shard.
  const shard = request.options.shard;
  if (shard !== undefined) {
    const sink = setLogSink(() => {});
    setLogSink((level, tag, message) =>
      sink(level, `${tag} ${shard.index}/${shard.count}`, message)
    );
  }
  try {
    const summary = await reproduce({ ...request.options, signal: controller.signal });
    const reply: ShardWorkerReply = {
      kind: "done",
      completed: summary.completed.length,
      failed: summary.failed.map((record) =>
        `${record.runId} ${record.method} seed ${record.seed}: ${record.failure?.message}`
      ),
    };
    self.postMessage(reply);
  } catch (error) {
    const reply: ShardWorkerReply = {
      kind: "error",
      message: error instanceof Error ? error.message : String(error),
      details: error instanceof UserError ? error.details : [],
      stack: error instanceof Error && !(error instanceof UserError) ? (error.stack ?? null) : null,
      exitCode: error instanceof UserError ? error.exitCode : 1,
    };
    self.postMessage(reply);
  }
};
