/**
 * One epoch of architecture search: for each pair of batches an
 * architecture step (bilevel) and a weight step, as DARTS's `train()` in
 * `train_search.py` orders them, and the validation pass afterwards.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/batches.ts";
import { forwardContext, type NoiseSource } from "../nn/context.ts";
import type { ParameterEntry, ParameterStore } from "../nn/parameter_store.ts";
import { clipByGlobalNorm, disposeGradients } from "../train/gradients.ts";
import type { Adam, Sgd } from "../train/optimizer.ts";
import type { SearchBatchSource } from "./search_data.ts";
import type { SearchMethod } from "./search_network.ts";
import { correctCount, crossEntropy, type KlTerms, searchLoss } from "./search_objective.ts";
import type { SearchSettings } from "./settings.ts";
import type { Supergraph } from "./supergraph.ts";
import { unrolledArchitectureGradient } from "./unrolled_gradient.ts";

/** Everything an epoch works on. */
export interface EpochState {
  method: SearchMethod;
  settings: SearchSettings;
  supergraph: Supergraph;
  store: ParameterStore;
  weights: ParameterEntry[];
  architecture: ParameterEntry[];
  weightOptimizer: Sgd;
  architectureOptimizer: Adam;
  noise: NoiseSource;
  train: SearchBatchSource;
  valid: SearchBatchSource;
  signal?: AbortSignal;
  /** Cross-entropy of the last step with a finite loss, across epochs; null before the first. */
  lastFiniteLoss: number | null;
}

/** Schedule values of one epoch. */
export interface EpochSchedule {
  /** 0-based epoch. */
  epoch: number;
  learningRate: number;
  beta: number;
}

/** Training metrics of one epoch. */
export interface EpochMetrics {
  /** Mean cross-entropy (nats) over the weight steps. */
  loss: number;
  /** Fraction of correct predictions over the weight steps. */
  accuracy: number;
}

/** A NaN or infinite loss: the search stops and keeps its last checkpoint. */
export class NonFiniteLossError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

/** Runs the steps of one epoch and returns the training metrics. */
export async function trainEpoch(
  state: EpochState,
  schedule: EpochSchedule,
): Promise<EpochMetrics> {
  const bilevel = state.method !== "vinnas" || state.settings.vinnas.levels === "bilevel";
  const { batchSize } = state.settings;
  const trainBatches = state.train.batches(schedule.epoch, batchSize, true)[Symbol.iterator]();
  const validBatches = bilevel
    ? state.valid.batches(schedule.epoch, batchSize, true)[Symbol.iterator]()
    : null;

  let lossSum = 0;
  let correct = 0;
  let examples = 0;
  for (let step = 1;; step++) {
    state.signal?.throwIfAborted();
    const trainNext = trainBatches.next();
    if (trainNext.done) break;
    const validNext = validBatches?.next();
    if (validNext?.done === true) {
      tf.dispose([trainNext.value.x, trainNext.value.y]);
      break;
    }

    const batch = trainNext.value;
    const validBatch = validNext?.value ?? null;
    try {
      const result = await _step(state, schedule, batch, validBatch);
      if (!result.finite) {
        throw new NonFiniteLossError(
          `Search stopped in epoch ${schedule.epoch + 1}, step ${step}: the ` +
            `${result.lossKind} loss is ${result.value}; the last finite training loss was ` +
            `${state.lastFiniteLoss ?? "none (first step)"}. Lower the learning rate (now ` +
            `${schedule.learningRate} for the weights, ` +
            `${state.settings.architecture.learningRate} for the architecture) and restart ` +
            `from the last checkpoint, which was not overwritten.`,
        );
      }
      state.lastFiniteLoss = result.crossEntropy;
      lossSum += result.crossEntropy * batch.y.shape[0];
      correct += result.correct;
      examples += batch.y.shape[0];
    } finally {
      tf.dispose([batch.x, batch.y]);
      if (validBatch !== null) tf.dispose([validBatch.x, validBatch.y]);
    }
  }

  if (examples === 0) {
    throw new Error(
      `Cannot train search epoch ${schedule.epoch + 1}: the data yielded no batch. ` +
        "Check that both halves of the search data are non-empty.",
    );
  }
  return { loss: lossSum / examples, accuracy: correct / examples };
}

/** Mean cross-entropy and accuracy of the supergraph on `source`, in inference mode. */
export async function evaluateSearch(
  supergraph: Supergraph,
  source: SearchBatchSource,
  batchSize: number,
  noise: NoiseSource,
): Promise<EpochMetrics> {
  const context = forwardContext(false, noise);
  let lossSum = tf.scalar(0);
  let correctSum = tf.scalar(0, "int32");
  let examples = 0;

  for (const batch of source.batches(0, batchSize, false)) {
    const [nextLoss, nextCorrect] = tf.tidy(() => {
      const logits = supergraph.forward(batch.x, context);
      const size = batch.y.shape[0];
      return [
        lossSum.add(crossEntropy(logits, batch.y).mul(size)),
        correctSum.add(correctCount(logits, batch.y)),
      ];
    });
    tf.dispose([lossSum, correctSum, batch.x, batch.y]);
    lossSum = nextLoss as tf.Scalar;
    correctSum = nextCorrect as tf.Scalar;
    examples += batch.y.shape[0];
  }

  const loss = (await lossSum.data())[0];
  const correct = (await correctSum.data())[0];
  tf.dispose([lossSum, correctSum]);
  return { loss: loss / Math.max(examples, 1), accuracy: correct / Math.max(examples, 1) };
}

interface _StepResult {
  finite: boolean;
  lossKind: "training" | "validation";
  value: number;
  crossEntropy: number;
  correct: number;
}

async function _step(
  state: EpochState,
  schedule: EpochSchedule,
  batch: Batch,
  validBatch: Batch | null,
): Promise<_StepResult> {
  const { settings, supergraph, store } = state;
  const vinnas = state.method === "vinnas";
  const single = vinnas && settings.vinnas.levels === "single";
  const context = forwardContext(true, state.noise);
  const kl = (groups: KlTerms["groups"]): KlTerms | null =>
    vinnas
      ? { prior: settings.vinnas.prior, groups, beta: schedule.beta, examples: state.train.size }
      : null;

  // Architecture step on the validation half (bilevel only).
  let validLoss: tf.Scalar | null = null;
  if (validBatch !== null) {
    validLoss = await _architectureStep(state, schedule, batch, validBatch, kl(["architecture"]));
  }

  // Weight step on the training half; the single-level search also updates
  // the architecture with the same gradient of the whole ELBO.
  const parts: { crossEntropy?: tf.Scalar; correct?: tf.Scalar } = {};
  const weightVariables = state.weights.map((entry) => entry.variable);
  const architectureVariables = state.architecture.map((entry) => entry.variable);
  const variables = single ? [...weightVariables, ...architectureVariables] : weightVariables;
  const loss = searchLoss(
    supergraph,
    store,
    batch,
    context,
    kl(single ? ["weight", "architecture"] : ["weight"]),
    parts,
  );
  const { value, grads } = tf.variableGrads(loss, variables);

  const summary = tf.tidy(() =>
    tf.stack([value, validLoss ?? value, parts.crossEntropy!, parts.correct!.cast("float32")])
  );
  const [trainValue, validValue, crossEntropyValue, correctValue] = await summary.data();
  tf.dispose([summary, value, validLoss ?? value, parts.crossEntropy!, parts.correct!]);

  if (!Number.isFinite(trainValue) || !Number.isFinite(validValue)) {
    disposeGradients(grads);
    const training = !Number.isFinite(trainValue);
    return {
      finite: false,
      lossKind: training ? "training" : "validation",
      value: training ? trainValue : validValue,
      crossEntropy: crossEntropyValue,
      correct: correctValue,
    };
  }

  const weightNames = new Set(weightVariables.map((variable) => variable.name));
  const weightGradients: tf.NamedTensorMap = {};
  const architectureGradients: tf.NamedTensorMap = {};
  for (const [name, gradient] of Object.entries(grads)) {
    (weightNames.has(name) ? weightGradients : architectureGradients)[name] = gradient;
  }
  const clipped = clipByGlobalNorm(weightGradients, settings.gradientClip);
  state.weightOptimizer.apply(clipped.gradients, schedule.learningRate);
  if (single) {
    state.architectureOptimizer.apply(architectureGradients, settings.architecture.learningRate);
  }
  disposeGradients(clipped.gradients);
  clipped.norm.dispose();
  disposeGradients(grads);

  return {
    finite: true,
    lossKind: "training",
    value: trainValue,
    crossEntropy: crossEntropyValue,
    correct: correctValue,
  };
}

/** Updates the architecture on `validBatch`; returns the validation loss, which the caller disposes. */
async function _architectureStep(
  state: EpochState,
  schedule: EpochSchedule,
  batch: Batch,
  validBatch: Batch,
  kl: KlTerms | null,
): Promise<tf.Scalar> {
  const { settings, supergraph, store } = state;
  const context = forwardContext(true, state.noise);
  const learningRate = settings.architecture.learningRate;

  if (state.method === "darts-second-order") {
    const velocity: Record<string, Float32Array | undefined> = {};
    const optimizerState = await state.weightOptimizer.getState();
    for (const [name, slots] of Object.entries(optimizerState.slots)) {
      velocity[name] = slots.velocity;
    }

    const { gradients, validLoss } = unrolledArchitectureGradient({
      weights: state.weights,
      architecture: state.architecture,
      trainLoss: searchLoss(supergraph, store, batch, context, null),
      validLoss: searchLoss(supergraph, store, validBatch, context, null),
      learningRate: schedule.learningRate,
      momentum: settings.momentum,
      weightDecay: settings.weightDecay,
      velocity,
      finiteDifferenceScale: settings.darts.unrolled.finiteDifferenceScale,
    });
    state.architectureOptimizer.apply(gradients, learningRate);
    disposeGradients(gradients);
    return validLoss;
  }

  const variables = state.architecture.map((entry) => entry.variable);
  const { value, grads } = tf.variableGrads(
    searchLoss(supergraph, store, validBatch, context, kl),
    variables,
  );
  state.architectureOptimizer.apply(grads, learningRate);
  disposeGradients(grads);
  return value;
}
