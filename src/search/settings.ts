/**
 * Settings of an architecture search: the supergraph's size, the weight and
 * architecture optimizers, and the knobs of VINNAS and DARTS. Defaults are
 * DARTS's `train_search.py` (8 cells, 16 channels, batch 64, 50 epochs, SGD
 * lr 0.025 cosine to 0.001, momentum 0.9, weight decay 3e-4, clipping 5,
 * Adam 3e-4 with betas 0.5/0.999 and weight decay 1e-3 for the architecture)
 * and, for VINNAS, named assumptions where the VINNAS paper (Ferianc, Fan,
 * Rodrigues, arXiv 2007.06103) gives no value.
 *
 * @module
 */

import { z } from "zod";

/** Settings of the architecture optimizer (Adam with L2 weight decay). */
export const ArchitectureOptimizerSchema = z.strictObject({
  /** Adam learning rate of the architecture parameters. */
  learningRate: z.number().positive().default(3e-4),
  /** Adam β1 (decay of the first moment). */
  beta1: z.number().min(0).lt(1).default(0.5),
  /** Adam β2 (decay of the second moment). */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** L2 weight decay added to the architecture gradient. */
  weightDecay: z.number().min(0).default(1e-3),
});

/**
 * Initial value of the VINNAS operation relevance z ~ N(θ, σ²). A mean of
 * `"uniform"` sets θ = 1/numOps, so the first mixed operation averages its
 * candidates as DARTS's softmax does at α ≈ 0. A log variance of -10 makes
 * every operation start relevant (log α = -10 − log θ² ≈ -6 for 7 operations).
 */
export const RelevanceInitSchema = z.strictObject({
  /** θ of every operation: `"uniform"` (1/numOps) or a number. */
  mean: z.union([z.literal("uniform"), z.number()]).default("uniform"),
  /** log σ² of every operation (natural log of a variance). */
  logSigma2: z.number().default(-10),
});

/** Knobs of VINNAS (variational relevance of operations and weights). */
export const VinnasSettingsSchema = z.strictObject({
  /** Prior of the weights and relevances: ARD (optimal τ per weight) or log-uniform. */
  prior: z.enum(["ard", "log-uniform"]).default("ard"),
  /** Weights and operations with log α above this are pruned (Molchanov 2017 uses 3). */
  pruneThreshold: z.number().default(3),
  /** Epochs over which β ramps linearly from 0 to 1; 0 means β = 1 from the start. */
  klWarmupEpochs: z.int().min(0).default(5),
  /**
   * `"bilevel"`: weights on the train half with SGD, relevances on the
   * validation half with Adam (as DARTS). `"single"`: both optimizers step
   * on the same training batch of the whole ELBO.
   */
  levels: z.enum(["bilevel", "single"]).default("bilevel"),
  /** Operations with log α above the threshold leave the supergraph every this many epochs. */
  pruneEvery: z.int().min(1).default(1),
  /** Ranking of surviving operations in derivation: θ²/σ² (`"snr"`) or θ (`"mean"`). */
  selection: z.enum(["snr", "mean"]).default("snr"),
  /** Whether `none` is a candidate operation; ARD removes operations by itself. */
  includeNone: z.boolean().default(false),
  /** Initial relevance of every candidate operation. */
  relevanceInit: RelevanceInitSchema.prefault({}),
  /** Initial log σ² of every variational convolution weight. */
  weightLogSigma2Init: z.number().default(-10),
});

/** Knobs of the DARTS baselines. */
export const DartsSettingsSchema = z.strictObject({
  /** Whether `none` is a candidate operation (DARTS includes it). */
  includeNone: z.boolean().default(true),
  /** Standard deviation of the initial α (DARTS: α = 1e-3·N(0, 1)). */
  alphaInitScale: z.number().min(0).default(1e-3),
  /** Second-order (unrolled) architecture step. */
  unrolled: z.strictObject({
    /**
     * Finite-difference step of the Hessian-vector product, divided by
     * ‖∇w' L_val‖ (DARTS: ε = 0.01 / ‖∇w' L_val‖).
     */
    finiteDifferenceScale: z.number().positive().default(0.01),
  }).prefault({}),
});

/** Settings of one architecture search; every key has a default. */
export const SearchSettingsSchema = z.strictObject({
  /** Number of cells of the supergraph; reductions sit at cells/3 and 2·cells/3 (integer division). */
  cells: z.int().min(1).default(8),
  /** Channels C of the first cells; the stem outputs 3·C, and C doubles at each reduction. */
  initChannels: z.int().min(1).default(16),
  /** Examples per batch, for both the weight and the architecture step. */
  batchSize: z.int().min(1).default(64),
  /** Number of search epochs. */
  epochs: z.int().min(1).default(50),
  /** Initial SGD learning rate of the weights; cosine decay per epoch to `learningRateMin`. */
  learningRate: z.number().positive().default(0.025),
  /** Final SGD learning rate of the cosine schedule. */
  learningRateMin: z.number().min(0).default(0.001),
  /** SGD momentum of the weights. */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** SGD L2 weight decay of the weights. */
  weightDecay: z.number().min(0).default(3e-4),
  /** Maximum global L2 norm of the weight gradient. */
  gradientClip: z.number().positive().default(5),
  /** Fraction of the search examples that train the weights; the rest train the architecture. */
  trainPortion: z.number().gt(0).lt(1).default(0.5),
  /** Examples per class drawn (stratified) before the split; null uses every training example. */
  trainSubsetPerClass: z.int().min(1).nullable().default(null),
  /** Optimizer of the architecture parameters. */
  architecture: ArchitectureOptimizerSchema.prefault({}),
  /** VINNAS knobs. */
  vinnas: VinnasSettingsSchema.prefault({}),
  /** DARTS knobs. */
  darts: DartsSettingsSchema.prefault({}),
});

/** Settings of one architecture search, with every default applied. */
export type SearchSettings = z.infer<typeof SearchSettingsSchema>;

/** Settings as written in a file, before defaults. */
export type SearchSettingsInput = z.input<typeof SearchSettingsSchema>;

/** Parses `input` and fills in the defaults; throws a `z.ZodError` listing invalid keys. */
export function searchSettings(input: SearchSettingsInput = {}): SearchSettings {
  return SearchSettingsSchema.parse(input);
}
