/**
 * The search loop shared by VINNAS and the DARTS baselines. Each epoch
 * trains, validates, prunes (VINNAS), derives a genotype, records a
 * trajectory entry and writes a checkpoint. A search restarted with the same
 * checkpoint path resumes after the last finished epoch.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { NoiseSource } from "../nn/context.ts";
import { countParameters, type ParameterCounts } from "../nn/count_parameters.ts";
import { klDivergence } from "../nn/kl.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import { seedFromName } from "../nn/variational_conv.ts";
import { Adam, Sgd } from "../train/optimizer.ts";
import { cosineLearningRate, klWarmup } from "../train/schedule.ts";
import { logger } from "../util/log.ts";
import type { Relevance } from "./architecture.ts";
import type { ForcedEdge } from "./derive.ts";
import type { Genotype } from "./genotype.ts";
import {
  restoreSearchCheckpoint,
  SEARCH_CHECKPOINT_VERSION,
  writeSearchCheckpoint,
} from "./search_checkpoint.ts";
import { type SearchData, searchSources } from "./search_data.ts";
import { type EpochState, evaluateSearch, trainEpoch } from "./search_epoch.ts";
import { buildSearchNetwork, type SearchMethod } from "./search_network.ts";
import {
  countSkipConnections,
  epochLogLine,
  type SearchEpochRecord,
  strengthEntropy,
} from "./search_record.ts";
import type { SearchSettings } from "./settings.ts";

const log = logger("search");

/** A request to run one architecture search. */
export interface SearchRequest {
  method: SearchMethod;
  /** Settings with defaults applied (parse them with `SearchSettingsSchema`). */
  settings: SearchSettings;
  data: SearchData;
  /** Seed of the split, initialisation, data order and LRT noise. */
  seed: number;
  /** Checkpoint file, written after every epoch and read to resume. */
  checkpointPath?: string;
  /** Called after each epoch, once its checkpoint is written. */
  onEpoch?: (record: SearchEpochRecord) => void;
  /** Stops the search between steps with the signal's reason. */
  signal?: AbortSignal;
}

/** The result of a search. */
export interface SearchOutcome {
  method: SearchMethod;
  seed: number;
  settings: SearchSettings;
  /** Genotype derived after the last epoch. */
  genotype: Genotype;
  /** Edges of `genotype` that pruning had removed (VINNAS). */
  forcedEdges: ForcedEdge[];
  /** Relevance tables after the last epoch. */
  relevance: Relevance;
  /** One record per epoch, resumed epochs included. */
  trajectory: SearchEpochRecord[];
  /** Number of epochs run. */
  epochs: number;
  /** Wall-clock seconds of all epochs, over every process that ran them. */
  wallSeconds: number;
  /** Epochs restored from the checkpoint, or null when the search started fresh. */
  resumedFromEpoch: number | null;
  /** Parameters of the supergraph after the search (non-zero by log α for VINNAS). */
  supergraphParameters: ParameterCounts;
}

/** Runs an architecture search to the end and returns its genotype and trajectory. */
export async function runSearch(request: SearchRequest): Promise<SearchOutcome> {
  const { method, settings, seed } = request;
  const sources = searchSources(request.data, {
    trainPortion: settings.trainPortion,
    trainSubsetPerClass: settings.trainSubsetPerClass,
    seed,
  });
  const network = buildSearchNetwork(method, settings, sources, seed);
  const { store, supergraph, architecture } = network;

  const weights = store.entries((entry) => entry.role === "weight" || entry.role === "log-sigma2");
  const architectureEntries = store.entries((entry) => entry.role === "architecture");
  const weightOptimizer = new Sgd(weights, {
    momentum: settings.momentum,
    weightDecay: settings.weightDecay,
  });
  const architectureOptimizer = new Adam(architectureEntries, {
    beta1: settings.architecture.beta1,
    beta2: settings.architecture.beta2,
    weightDecay: settings.architecture.weightDecay,
  });
  const target = { store, weightOptimizer, architectureOptimizer };

  try {
    let noise = new NoiseSource(seedFromName(seed, "search.noise"));
    let trajectory: SearchEpochRecord[] = [];
    let wallSeconds = 0;
    let resumedFromEpoch: number | null = null;
    if (request.checkpointPath !== undefined) {
      const meta = await restoreSearchCheckpoint(request.checkpointPath, target, {
        method,
        seed,
        settings,
      });
      if (meta !== null) {
        noise = new NoiseSource(meta.noise.seed, meta.noise.draws);
        if (architecture.method === "vinnas" && meta.pruningMasks !== null) {
          architecture.setPruningMasks(meta.pruningMasks);
        }
        trajectory = meta.trajectory;
        wallSeconds = meta.wallSeconds;
        resumedFromEpoch = meta.completedEpochs;
        log.info(
          `resuming ${method} search from ${request.checkpointPath} after epoch ${meta.completedEpochs}`,
        );
      }
    }

    const state: EpochState = {
      method,
      settings,
      supergraph,
      store,
      weights,
      architecture: architectureEntries,
      weightOptimizer,
      architectureOptimizer,
      noise,
      train: sources.train,
      valid: sources.valid,
      signal: request.signal,
      lastFiniteLoss: trajectory.at(-1)?.trainLoss ?? null,
    };
    for (let epoch = resumedFromEpoch ?? 0; epoch < settings.epochs; epoch++) {
      request.signal?.throwIfAborted();
      const started = performance.now();
      const learningRate = cosineLearningRate(
        epoch,
        settings.epochs,
        settings.learningRate,
        settings.learningRateMin,
      );
      const beta = method === "vinnas" ? klWarmup(epoch, settings.vinnas.klWarmupEpochs) : 0;

      const train = await trainEpoch(state, { epoch, learningRate, beta });
      const valid = await evaluateSearch(supergraph, sources.valid, settings.batchSize, noise);
      const pruneEvery = settings.vinnas.pruneEvery;
      if (architecture.method === "vinnas" && (epoch + 1) % pruneEvery === 0) {
        await architecture.prune();
      }

      const relevance = await architecture.relevance();
      const derivation = architecture.derive(relevance);
      const record: SearchEpochRecord = {
        epoch: epoch + 1,
        trainLoss: train.loss,
        trainAccuracy: train.accuracy,
        validLoss: valid.loss,
        validAccuracy: valid.accuracy,
        learningRate,
        beta,
        kl: await _klValues(request, store),
        genotype: derivation.genotype,
        forcedEdges: derivation.forcedEdges,
        relevance,
        prunedOperations: architecture.method === "vinnas" ? architecture.prunedCount() : 0,
        normalSkipConnections: countSkipConnections(derivation.genotype),
        strengthEntropy: strengthEntropy(relevance),
        wallSeconds: (performance.now() - started) / 1000,
      };
      trajectory.push(record);
      wallSeconds += record.wallSeconds;

      if (request.checkpointPath !== undefined) {
        await writeSearchCheckpoint(request.checkpointPath, target, {
          version: SEARCH_CHECKPOINT_VERSION,
          method,
          seed,
          settings,
          completedEpochs: epoch + 1,
          noise: noise.state(),
          pruningMasks: architecture.method === "vinnas" ? architecture.pruningMasks() : null,
          trajectory,
          wallSeconds,
        });
      }
      log.info(epochLogLine(record, settings.epochs));
      request.onEpoch?.(record);
    }

    const last = trajectory[trajectory.length - 1];
    return {
      method,
      seed,
      settings,
      genotype: last.genotype,
      forcedEdges: last.forcedEdges,
      relevance: last.relevance,
      trajectory,
      epochs: trajectory.length,
      wallSeconds,
      resumedFromEpoch,
      supergraphParameters: await countParameters(store, {
        threshold: settings.vinnas.pruneThreshold,
      }),
    };
  } finally {
    weightOptimizer.dispose();
    architectureOptimizer.dispose();
    store.dispose();
  }
}

async function _klValues(
  request: SearchRequest,
  store: ParameterStore,
): Promise<{ weights: number; architecture: number }> {
  if (request.method !== "vinnas") return { weights: 0, architecture: 0 };

  const prior = request.settings.vinnas.prior;
  const values = tf.tidy(() =>
    tf.stack([
      klDivergence(store, { prior, group: "weight" }),
      klDivergence(store, { prior, group: "architecture" }),
    ])
  );
  const [weights, architecture] = await values.data();
  values.dispose();
  return { weights, architecture };
}
