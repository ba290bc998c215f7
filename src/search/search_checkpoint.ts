/**
 * Checkpoints of a search, written at the end of every epoch: every store
 * variable (weights, log σ², architecture, BN buffers), both optimizer
 * states, the noise counter, the pruning masks and the trajectory so far.
 * Data order depends only on the seed and the epoch, so these suffice to
 * resume a search exactly on a deterministic backend.
 *
 * @module
 */

import {
  assignVariables,
  readCheckpoint,
  readVariables,
  writeCheckpoint,
} from "../train/checkpoint.ts";
import type { Optimizer, OptimizerState } from "../train/optimizer.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type { PruningMasks } from "./vinnas_architecture.ts";
import type { SearchEpochRecord } from "./search_record.ts";
import type { SearchMethod } from "./search_network.ts";
import type { SearchSettings } from "./settings.ts";

/** Version of the search checkpoint's loop state. */
export const SEARCH_CHECKPOINT_VERSION = 1;

/** Loop state stored beside the variables. */
export interface SearchCheckpointMeta {
  version: typeof SEARCH_CHECKPOINT_VERSION;
  method: SearchMethod;
  seed: number;
  settings: SearchSettings;
  /** Epochs finished; the search resumes at this 0-based epoch. */
  completedEpochs: number;
  /** State of the LRT noise source. */
  noise: { seed: number; draws: number };
  /** Removed VINNAS operations; null for DARTS. */
  pruningMasks: PruningMasks | null;
  trajectory: SearchEpochRecord[];
  /** Wall-clock seconds of the finished epochs. */
  wallSeconds: number;
}

/** Store and optimizers that a search checkpoint restores into. */
export interface SearchCheckpointTarget {
  store: ParameterStore;
  weightOptimizer: Optimizer;
  architectureOptimizer: Optimizer;
}

/** Writes a search checkpoint to `path` atomically. */
export async function writeSearchCheckpoint(
  path: string,
  target: SearchCheckpointTarget,
  meta: SearchCheckpointMeta,
): Promise<void> {
  await writeCheckpoint(path, {
    variables: await readVariables(target.store),
    optimizers: {
      weights: await target.weightOptimizer.getState(),
      architecture: await target.architectureOptimizer.getState(),
    },
    meta,
  });
}

/**
 * Restores the checkpoint at `path` into `target` and returns its loop
 * state, or null when there is no checkpoint. Throws when the checkpoint
 * belongs to another method, seed or settings.
 */
export async function restoreSearchCheckpoint(
  path: string,
  target: SearchCheckpointTarget,
  expected: Pick<SearchCheckpointMeta, "method" | "seed" | "settings">,
): Promise<SearchCheckpointMeta | null> {
  const contents = await readCheckpoint<SearchCheckpointMeta>(path);
  if (contents === null) return null;

  const meta = contents.meta;
  if (meta.version !== SEARCH_CHECKPOINT_VERSION) {
    throw new Error(
      `Cannot resume from ${path}: its loop state has version ${meta.version}, expected ` +
        `${SEARCH_CHECKPOINT_VERSION}. Delete the checkpoint to restart the search.`,
    );
  }
  const mismatch = _mismatch(meta, expected);
  if (mismatch !== null) {
    throw new Error(
      `Cannot resume from ${path}: it was written with ${mismatch}. Delete the checkpoint to ` +
        `restart the search, or use the original settings.`,
    );
  }

  assignVariables(target.store, contents.variables);
  target.weightOptimizer.setState(_optimizerState(contents.optimizers, "weights", path));
  target.architectureOptimizer.setState(
    _optimizerState(contents.optimizers, "architecture", path),
  );
  return meta;
}

function _mismatch(
  meta: SearchCheckpointMeta,
  expected: Pick<SearchCheckpointMeta, "method" | "seed" | "settings">,
): string | null {
  if (meta.method !== expected.method) {
    return `method ${meta.method}, but this search is ${expected.method}`;
  }
  if (meta.seed !== expected.seed) return `seed ${meta.seed}, but this search has ${expected.seed}`;
  const saved = JSON.stringify(meta.settings);
  const current = JSON.stringify(expected.settings);
  if (saved !== current) return `other settings (${saved}, now ${current})`;
  return null;
}

function _optimizerState(
  optimizers: Record<string, OptimizerState>,
  name: string,
  path: string,
): OptimizerState {
  const state = optimizers[name];
  if (state === undefined) {
    throw new Error(
      `Cannot resume from ${path}: the ${name} optimizer state is missing. Delete the ` +
        `checkpoint to restart the search.`,
    );
  }
  return state;
}
