/**
 * The random-search baseline: sample genotypes uniformly from the DARTS
 * search space, train each one briefly from scratch on the weight half of
 * the search split, and keep the one with the best accuracy on the other
 * half. It spends its budget on separate short trainings instead of one
 * supergraph, and uses the same data halves as VINNAS and DARTS for a seed.
 *
 * A checkpoint after every candidate (and the evaluation checkpoint of the
 * candidate in progress) lets a stopped search resume where it stopped.
 *
 * @module
 */

import { z } from "zod";
import type { Dataset } from "../data/dataset.ts";
import { searchSplit } from "../data/search_split.ts";
import { range } from "../data/shuffled.ts";
import { stratifiedSubset } from "../data/stratified_subset.ts";
import { evaluationSettings } from "../evaluate/settings.ts";
import { runEvaluation } from "../evaluate/train.ts";
import { seedFromName } from "../nn/variational_conv.ts";
import { writeFileAtomic } from "../train/checkpoint.ts";
import { logger } from "../util/log.ts";
import { Rng } from "../util/random.ts";
import { genotypeHash } from "./darts_text.ts";
import { type Genotype, GENOTYPE_VERSION, type GenotypeEdge } from "./genotype.ts";
import { CELL_STEPS, PRIMITIVES } from "./primitives.ts";

const log = logger("search");

/** Version of the random-search checkpoint; another version is rejected. */
const _CHECKPOINT_VERSION = 1;

/**
 * Settings of the random-search baseline. The budget (samples, epochs per
 * sample) is an assumption of this project. The network and optimizer
 * default to DARTS's search settings: 8 cells, 16 channels, batch 64, SGD lr
 * 0.025 cosine to 0.001, momentum 0.9, weight decay 3e-4, clipping 5, and
 * half of the data for training.
 */
export const RandomSearchSettingsSchema = z.strictObject({
  /** Number of genotypes sampled and trained. */
  samples: z.int().min(1).default(24),
  /** Training epochs of each sampled genotype. */
  epochsPerSample: z.int().min(1).default(10),
  /** Cells of each candidate network; reductions at cells/3 and 2·cells/3. */
  cells: z.int().min(3).default(8),
  /** Channels C of the first cells of each candidate network. */
  initChannels: z.int().min(1).default(16),
  /** Examples per batch. */
  batchSize: z.int().min(1).default(64),
  /** Initial SGD learning rate; cosine decay per epoch to `learningRateMin`. */
  learningRate: z.number().positive().default(0.025),
  /** Learning rate the cosine schedule reaches after the last epoch of a candidate. */
  learningRateMin: z.number().min(0).default(0.001),
  /** SGD momentum. */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** SGD L2 weight decay. */
  weightDecay: z.number().min(0).default(3e-4),
  /** Maximum global L2 norm of the gradient. */
  gradientClip: z.number().positive().default(5),
  /** Zero padding in pixels before a random crop of training images; 0 turns cropping off. */
  cropPadding: z.int().min(0).default(4),
  /** Random horizontal flip of training images (off for digits and clothing). */
  horizontalFlip: z.boolean().default(true),
  /** Fraction of the search examples that train; the rest measure validation accuracy. */
  trainPortion: z.number().gt(0).lt(1).default(0.5),
  /** Examples per class drawn (stratified) before the split; null uses the whole train split. */
  trainSubsetPerClass: z.int().min(1).nullable().default(null),
});

/** Settings of the random-search baseline, with every default applied. */
export type RandomSearchSettings = z.infer<typeof RandomSearchSettingsSchema>;

/** Settings as written in a file, before defaults. */
export type RandomSearchSettingsInput = z.input<typeof RandomSearchSettingsSchema>;

/** Parses `input` and fills in the defaults; throws a `z.ZodError` listing invalid keys. */
export function randomSearchSettings(input: RandomSearchSettingsInput = {}): RandomSearchSettings {
  return RandomSearchSettingsSchema.parse(input);
}

/** A request to run the random-search baseline. */
export interface RandomSearchRequest {
  settings: RandomSearchSettings;
  /** The loaded dataset; only its train split is used. */
  dataset: Dataset;
  /** Indices into the train split that form the search data; default: the subset setting. */
  indices?: Int32Array;
  /** Seed of the samples, split, initialisations and data order. */
  seed: number;
  /** Checkpoint file, rewritten after every candidate; absent turns checkpoints off. */
  checkpointPath?: string;
  /** Called after each candidate, once the checkpoint is written. */
  onCandidate?: (record: RandomCandidateRecord) => void;
  /** Checked after each epoch of a candidate; an aborted signal stops the search with its reason. */
  signal?: AbortSignal;
}

/** The record of one sampled genotype. */
export interface RandomCandidateRecord {
  /** 1-based candidate number. */
  candidate: number;
  genotype: Genotype;
  genotypeHash: string;
  /** Fraction of the validation half classified correctly after training. */
  validAccuracy: number;
  /** Training accuracy of the last epoch (with augmentation). */
  trainAccuracy: number;
  /** Mean training cross-entropy of the last epoch. */
  trainLoss: number;
  /** Parameters of the candidate network (no auxiliary head). */
  parameters: number;
  /** `skip_connect` edges in the normal cell. */
  normalSkipConnections: number;
  /** Wall-clock seconds of the candidate's training and validation. */
  wallSeconds: number;
}

/** The result of a random search; its common fields match the other searches' outcome. */
export interface RandomSearchOutcome {
  method: "random";
  seed: number;
  settings: RandomSearchSettings;
  /** The candidate with the highest validation accuracy (the first one on ties). */
  genotype: Genotype;
  /** 1-based number of the chosen candidate. */
  bestCandidate: number;
  /** One record per candidate, resumed ones included. */
  trajectory: RandomCandidateRecord[];
  /** Training epochs of all candidates together. */
  epochs: number;
  /** Wall-clock seconds of all candidates, over every process that ran them. */
  wallSeconds: number;
  /** Candidates restored from the checkpoint, or null when the search started fresh. */
  resumedFromCandidate: number | null;
}

interface _CheckpointMeta {
  version: number;
  fingerprint: string;
  trajectory: RandomCandidateRecord[];
}

/**
 * Samples a genotype uniformly: for each intermediate node of each cell, two
 * distinct inputs among the cell inputs and earlier nodes, each with an
 * operation drawn uniformly from the candidates other than `none`. The two
 * edges of a node are ordered by input, because their order does not change
 * the cell; concat is every intermediate node.
 */
export function sampleGenotype(rng: Rng): Genotype {
  const operations = PRIMITIVES.filter((primitive) => primitive !== "none");
  const cell = (): GenotypeEdge[] => {
    const edges: GenotypeEdge[] = [];
    for (let node = 0; node < CELL_STEPS; node++) {
      const inputs = node + 2;
      const first = rng.int(inputs);
      let second = rng.int(inputs - 1);
      if (second >= first) second += 1;

      for (const input of [Math.min(first, second), Math.max(first, second)]) {
        edges.push([operations[rng.int(operations.length)], input]);
      }
    }
    return edges;
  };

  const concat = Array.from({ length: CELL_STEPS }, (_, i) => i + 2);
  const normal = cell();
  const reduce = cell();
  return {
    version: GENOTYPE_VERSION,
    normal,
    normalConcat: concat,
    reduce,
    reduceConcat: [...concat],
  };
}

/**
 * Returns `count` distinct genotypes sampled with {@link sampleGenotype}
 * from a generator seeded by `seed`. A duplicate of an earlier sample is
 * drawn again, so no budget is spent twice on one cell pair.
 */
export function sampleDistinctGenotypes(count: number, seed: number): Genotype[] {
  const rng = new Rng(seedFromName(seed, "random.samples"));
  const seen = new Set<string>();
  const genotypes: Genotype[] = [];
  while (genotypes.length < count) {
    const genotype = sampleGenotype(rng);
    const hash = genotypeHash(genotype);
    if (seen.has(hash)) continue;
    seen.add(hash);
    genotypes.push(genotype);
  }
  return genotypes;
}

/** Runs the random-search baseline to the end and returns the best candidate. */
export async function runRandomSearch(request: RandomSearchRequest): Promise<RandomSearchOutcome> {
  const { settings, dataset, seed } = request;
  const { trainIndices, validIndices } = _searchHalves(request);
  const candidates = sampleDistinctGenotypes(settings.samples, seed);
  const fingerprint = JSON.stringify({
    settings,
    seed,
    dataset: dataset.name,
    digests: dataset.digests,
    indices: request.indices === undefined ? null : Array.from(request.indices),
  });

  let trajectory: RandomCandidateRecord[] = [];
  let resumedFromCandidate: number | null = null;
  if (request.checkpointPath !== undefined) {
    const meta = await _readCheckpoint(request.checkpointPath, fingerprint);
    if (meta !== null) {
      trajectory = meta.trajectory;
      resumedFromCandidate = trajectory.length;
      log.info(
        `resuming random search from ${request.checkpointPath} after candidate ` +
          `${trajectory.length}/${settings.samples}`,
      );
    }
  }

  const candidateSettings = evaluationSettings({
    cells: settings.cells,
    initChannels: settings.initChannels,
    batchSize: settings.batchSize,
    epochs: settings.epochsPerSample,
    learningRate: settings.learningRate,
    learningRateMin: settings.learningRateMin,
    momentum: settings.momentum,
    weightDecay: settings.weightDecay,
    gradientClip: settings.gradientClip,
    cropPadding: settings.cropPadding,
    horizontalFlip: settings.horizontalFlip,
    // Brief training as in a search: no cutout, drop path or auxiliary head.
    cutoutLength: 0,
    dropPathProbability: 0,
    auxiliaryWeight: 0,
    weights: "plain",
    // Only the final validation accuracy ranks candidates.
    testEveryEpochs: settings.epochsPerSample,
  });

  for (let index = trajectory.length; index < candidates.length; index++) {
    const genotype = candidates[index];
    const candidatePath = request.checkpointPath === undefined
      ? null
      : `${request.checkpointPath}.candidate`;
    log.info(`candidate ${index + 1}/${settings.samples}: ${genotypeHash(genotype).slice(0, 12)}`);

    const outcome = await runEvaluation({
      genotype,
      dataset,
      settings: candidateSettings,
      seed: seedFromName(seed, `random.candidate.${index}`),
      checkpointPath: candidatePath,
      signal: request.signal,
      validation: { trainIndices, validIndices },
    });
    const last = outcome.curves[outcome.curves.length - 1];
    const record: RandomCandidateRecord = {
      candidate: index + 1,
      genotype,
      genotypeHash: outcome.genotypeHash,
      validAccuracy: last.testAccuracy as number,
      trainAccuracy: last.trainAccuracy,
      trainLoss: last.trainCrossEntropy,
      parameters: outcome.totalParameters,
      normalSkipConnections: genotype.normal.filter(([op]) => op === "skip_connect").length,
      wallSeconds: outcome.wallSeconds,
    };
    trajectory.push(record);
    log.info(
      `candidate ${index + 1}/${settings.samples}  valid_acc ${record.validAccuracy.toFixed(4)}  ` +
        `train_acc ${record.trainAccuracy.toFixed(3)}  ${record.wallSeconds.toFixed(1)}s`,
    );

    if (request.checkpointPath !== undefined) {
      const meta: _CheckpointMeta = { version: _CHECKPOINT_VERSION, fingerprint, trajectory };
      await writeFileAtomic(request.checkpointPath, JSON.stringify(meta));
      await Deno.remove(candidatePath as string).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    request.onCandidate?.(record);
  }

  const best = trajectory.reduce((best, record) =>
    record.validAccuracy > best.validAccuracy ? record : best
  );
  return {
    method: "random",
    seed,
    settings,
    genotype: best.genotype,
    bestCandidate: best.candidate,
    trajectory,
    epochs: settings.samples * settings.epochsPerSample,
    wallSeconds: trajectory.reduce((sum, record) => sum + record.wallSeconds, 0),
    resumedFromCandidate,
  };
}

/**
 * Splits the search data as the supergraph searches do for the same seed:
 * the stratified subset (seed label "search.subset"), then `trainPortion`
 * of it for training (seed label "search.split").
 */
function _searchHalves(
  request: RandomSearchRequest,
): { trainIndices: Int32Array; validIndices: Int32Array } {
  const { dataset, settings, seed } = request;
  const pool = request.indices ??
    (settings.trainSubsetPerClass === null ? range(dataset.train.count) : stratifiedSubset(
      dataset.train,
      settings.trainSubsetPerClass,
      seedFromName(seed, "search.subset"),
      dataset.numClasses,
    ));
  const { train, valid } = searchSplit(
    pool,
    settings.trainPortion,
    seedFromName(seed, "search.split"),
  );
  return { trainIndices: train, validIndices: valid };
}

async function _readCheckpoint(path: string, fingerprint: string): Promise<_CheckpointMeta | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }

  const meta = JSON.parse(text) as _CheckpointMeta;
  if (meta.version !== _CHECKPOINT_VERSION || meta.fingerprint !== fingerprint) {
    throw new Error(
      `Cannot resume the random search from ${path}: it was written by another version or by ` +
        "a search with different settings, seed or data. Delete it (and its .candidate file) to restart.",
    );
  }
  return meta;
}
