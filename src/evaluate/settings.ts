/**
 * Settings of an evaluation: training a derived network from scratch. The
 * defaults are DARTS's CIFAR-10 protocol, quark0/darts `cnn/train.py` run
 * with `--auxiliary --cutout`. That is 20 cells, 36 channels, batch 96 and
 * 600 epochs of SGD (lr 0.025 with cosine decay to 0, momentum 0.9, weight
 * decay 3e-4, gradient clipping 5). Regularisation is cutout 16, drop path
 * 0.2 ramped linearly, auxiliary head weight 0.4, random crop with padding 4
 * and horizontal flip.
 *
 * Dataset-specific values (MNIST and Fashion-MNIST use no flip) are set by
 * the experiment files, not here.
 *
 * @module
 */

import { z } from "zod";

/** Knobs of the sparse variational weights (used when `weights` is `"variational"`). */
export const VariationalEvaluationSchema = z.strictObject({
  /** Prior of every variational weight: ARD with the optimal τ per weight, or log-uniform. */
  prior: z.enum(["ard", "log-uniform"]).default("ard"),
  /** Weights with log α above this count as zero and are zeroed at test time (Molchanov 2017: 3). */
  pruneThreshold: z.number().default(3),
  /**
   * Epochs over which the KL weight β ramps linearly from 0 to 1; 0 means
   * β = 1 from the first step. The default follows the search's warm-up, an
   * assumption because the VINNAS paper gives no value for evaluation.
   */
  klWarmupEpochs: z.int().min(0).default(5),
  /** Initial log σ² of every variational weight (natural log of a variance). */
  logSigma2Init: z.number().default(-10),
});

/** Settings of one evaluation; every key has a default. */
export const EvaluationSettingsSchema = z.strictObject({
  /** Number of cells; reduction cells sit at cells/3 and 2·cells/3 (integer division). */
  cells: z.int().min(3).default(20),
  /** Channels C of the first cells; the stem outputs 3·C, and C doubles at each reduction. */
  initChannels: z.int().min(1).default(36),
  /** Training examples per batch; test batches use the same size. */
  batchSize: z.int().min(1).default(96),
  /** Number of training epochs. */
  epochs: z.int().min(1).default(600),
  /** Initial SGD learning rate; cosine decay per epoch to `learningRateMin`. */
  learningRate: z.number().positive().default(0.025),
  /** Learning rate the cosine schedule reaches after the last epoch. */
  learningRateMin: z.number().min(0).default(0),
  /** SGD momentum. */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** SGD L2 weight decay, applied to every trained weight as DARTS does (BN affine included). */
  weightDecay: z.number().min(0).default(3e-4),
  /** Maximum global L2 norm of the gradient. */
  gradientClip: z.number().positive().default(5),
  /** Side in pixels of the square cutout mask; 0 turns cutout off. */
  cutoutLength: z.int().min(0).default(16),
  /** Zero padding in pixels before a random crop back to the input size; 0 turns cropping off. */
  cropPadding: z.int().min(0).default(4),
  /** Random horizontal flip of training images (off for digits and clothing). */
  horizontalFlip: z.boolean().default(true),
  /**
   * Final drop path probability. Epoch e (0-based) of E uses p·e/E, as
   * DARTS does, so the last epoch stays just below p. 0 turns drop path off.
   */
  dropPathProbability: z.number().min(0).lt(1).default(0.2),
  /** Weight of the auxiliary head's cross-entropy; 0 builds no auxiliary head. */
  auxiliaryWeight: z.number().min(0).default(0.4),
  /** Convolution weights: ordinary (`"plain"`) or sparse variational with the ELBO (`"variational"`). */
  weights: z.enum(["plain", "variational"]).default("plain"),
  /** Knobs of the variational weights. */
  variational: VariationalEvaluationSchema.prefault({}),
  /** Training examples per class (stratified subset); null uses the whole train split. */
  trainSubsetPerClass: z.int().min(1).nullable().default(null),
  /** Test examples per class (stratified subset); null uses the whole test split. */
  testSubsetPerClass: z.int().min(1).nullable().default(null),
  /** Test accuracy is measured every this many epochs and after the last one. */
  testEveryEpochs: z.int().min(1).default(1),
});

/** Settings of one evaluation, with every default applied. */
export type EvaluationSettings = z.infer<typeof EvaluationSettingsSchema>;

/** Settings as written in a file, before defaults. */
export type EvaluationSettingsInput = z.input<typeof EvaluationSettingsSchema>;

/** Parses `input` and fills in the defaults; throws a `z.ZodError` listing invalid keys. */
export function evaluationSettings(input: EvaluationSettingsInput = {}): EvaluationSettings {
  return EvaluationSettingsSchema.parse(input);
}

/**
 * Returns the drop path probability of `epoch` (0-based) of `epochs`:
 * `maximum`·epoch/epochs, the linear ramp of DARTS's `train.py`.
 */
export function dropPathSchedule(epoch: number, epochs: number, maximum: number): number {
  return maximum * epoch / epochs;
}
