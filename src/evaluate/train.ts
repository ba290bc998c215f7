/**
 * Training a derived network from scratch and measuring it: the evaluation
 * stage of a run. The protocol follows DARTS's `cnn/train.py` (SGD with
 * momentum, cosine learning rate per epoch, gradient clipping, auxiliary
 * loss, drop path ramped linearly), plus the ELBO of sparse variational
 * dropout when the weights are variational:
 * loss = CE + w_aux·CE_aux + β·KL/N_train, with β ramped over the warm-up.
 *
 * Every epoch ends with an atomic checkpoint. A run started again with the
 * same request resumes after the last completed epoch. On wasm (tested) it
 * then ends with the same metrics as an uninterrupted run, because the data
 * order and augmentation depend only on the seed and the epoch, and the
 * noise counter is part of the checkpoint.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { batches } from "../data/batches.ts";
import type { Dataset, Split } from "../data/dataset.ts";
import { range } from "../data/shuffled.ts";
import { stratifiedSubset } from "../data/stratified_subset.ts";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { createPlainConvolutions } from "../nn/conv.ts";
import { countParameters } from "../nn/count_parameters.ts";
import { klDivergence } from "../nn/kl.ts";
import type { ConvolutionFactory } from "../nn/module.ts";
import { createVariationalConvolutions, seedFromName } from "../nn/variational_conv.ts";
import { canonicalGenotypeJson, genotypeHash } from "../search/darts_text.ts";
import type { Genotype } from "../search/genotype.ts";
import {
  assignVariables,
  readCheckpoint,
  readVariables,
  writeCheckpoint,
} from "../train/checkpoint.ts";
import type { Sgd } from "../train/optimizer.ts";
import { cosineLearningRate, klWarmup } from "../train/schedule.ts";
import { logger } from "../util/log.ts";
import { accuracy } from "./accuracy.ts";
import { EvaluationNetwork } from "./network.ts";
import { dropPathSchedule, type EvaluationSettings } from "./settings.ts";
import { TrainingDivergedError } from "./training_diverged_error.ts";
import {
  createEvaluationOptimizer,
  trainingStep,
  type TrainingStepOptions,
  type TrainingStepResult,
} from "./train_step.ts";

const log = logger("evaluate");

/** Version of the checkpoint metadata; a checkpoint of another version is rejected. */
const _CHECKPOINT_VERSION = 1;

/** A request to train and measure one genotype. */
export interface EvaluationRequest {
  genotype: Genotype;
  /** The loaded dataset; its train split trains, its test split measures. */
  dataset: Dataset;
  settings: EvaluationSettings;
  /** Seed of the initialisation, subsets, data order, augmentation and noise. */
  seed: number;
  /** Checkpoint file, rewritten after every epoch; null or absent turns checkpoints off. */
  checkpointPath?: string | null;
  /** Called after every epoch (after its checkpoint is written). */
  onEpoch?: (record: EpochRecord) => void;
  /** Checked after every epoch's checkpoint; an aborted signal stops the run with its reason. */
  signal?: AbortSignal;
  /**
   * Train and measure on two parts of the train split instead (the search
   * split of random search). The subset settings are then ignored, and
   * `testError` is the error on `validIndices`.
   */
  validation?: { trainIndices: Int32Array; validIndices: Int32Array };
}

/** The measurements of one epoch. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training objective per example: CE + w_aux·CE_aux + β·KL/N_train. */
  trainLoss: number;
  /** Mean cross-entropy of the main classifier on the training batches. */
  trainCrossEntropy: number;
  /** Fraction of training examples classified correctly (with augmentation, drop path, noise). */
  trainAccuracy: number;
  /** Fraction of test examples classified correctly, or null when not measured this epoch. */
  testAccuracy: number | null;
  /** SGD learning rate used in this epoch. */
  learningRate: number;
  /** Drop path probability used in this epoch. */
  dropPathProbability: number;
  /** KL weight β of this epoch; null for plain weights. */
  klWeight: number | null;
  /** KL divergence of the weights in nats after the epoch; null for plain weights. */
  kl: number | null;
  /** Non-zero parameters after the epoch (auxiliary head excluded). */
  nonZeroParameters: number;
  /** Wall-clock seconds of the epoch, test included. */
  seconds: number;
}

/** The result of an evaluation. */
export interface EvaluationOutcome {
  /** Error in percent on the measured examples: the test split, or the validation part. */
  testError: number;
  /** The examples behind `testError` and the curves' `testAccuracy`: test split or validation part. */
  measuredOn: "test" | "validation";
  /** Parameters of the network without the auxiliary head (DARTS `count_parameters_in_MB`·1e6). */
  totalParameters: number;
  /** Parameters left after pruning weights with log α above the threshold. */
  nonZeroParameters: number;
  /** Multiply-accumulates per image at inference, every weight counted. */
  multiplyAccumulates: number;
  /** Multiply-accumulates per image with pruned weights skipped. */
  nonZeroMultiplyAccumulates: number;
  epochs: number;
  /** Wall-clock seconds of training and testing, summed over resumed parts. */
  wallSeconds: number;
  curves: EpochRecord[];
  trainExamples: number;
  testExamples: number;
  /** Epochs completed before this call, from a checkpoint; 0 for a fresh run. */
  resumedFromEpoch: number;
  genotypeHash: string;
}

interface _CheckpointMeta {
  version: number;
  /** Canonical JSON of everything that determines the run, so a checkpoint never resumes another run. */
  fingerprint: string;
  completedEpochs: number;
  curves: EpochRecord[];
  noise: { seed: number; draws: number };
  wallSeconds: number;
}

/**
 * Trains the network of `request.genotype` from scratch with
 * `request.settings` and measures it. Throws {@link TrainingDivergedError}
 * when a loss is not finite, leaving the last checkpoint as it was.
 */
export async function runEvaluation(request: EvaluationRequest): Promise<EvaluationOutcome> {
  const { genotype, dataset, settings, seed } = request;
  const checkpointPath = request.checkpointPath ?? null;
  const { trainIndices, testSplit, testIndices } = _examples(request);
  const fingerprint = _fingerprint(request);

  const network = new EvaluationNetwork({
    genotype,
    cells: settings.cells,
    initChannels: settings.initChannels,
    numClasses: dataset.numClasses,
    inputShape: [dataset.height, dataset.width, dataset.channels],
    auxiliary: settings.auxiliaryWeight > 0,
    factory: evaluationConvolutions(settings, seed),
    seed,
  });
  const optimizer = createEvaluationOptimizer(network, settings);

  try {
    // Resume after the last completed epoch, if a checkpoint of this run exists.
    let noise = new NoiseSource(seed);
    let curves: EpochRecord[] = [];
    let previousSeconds = 0;
    const checkpoint = checkpointPath === null
      ? null
      : await readCheckpoint<_CheckpointMeta>(checkpointPath);
    if (checkpoint !== null) {
      _checkCheckpoint(checkpoint.meta, fingerprint, checkpointPath as string);
      assignVariables(network.store, checkpoint.variables);
      optimizer.setState(checkpoint.optimizers.weights);
      noise = new NoiseSource(checkpoint.meta.noise.seed, checkpoint.meta.noise.draws);
      curves = checkpoint.meta.curves;
      previousSeconds = checkpoint.meta.wallSeconds;
      log.info(
        `resuming from ${checkpointPath} after epoch ${checkpoint.meta.completedEpochs}/${settings.epochs}`,
      );
    }
    const resumedFromEpoch = curves.length;
    const started = performance.now();
    const progress: { lastFiniteLoss: number | null } = { lastFiniteLoss: null };

    const macs = await network.countMultiplyAccumulates(settings.variational.pruneThreshold);
    log.info(
      `network of ${settings.cells} cells, ${settings.initChannels} channels: ` +
        `${macs.total} multiply-accumulates per image, ${trainIndices.length} training and ` +
        `${testIndices.length} test examples`,
    );

    for (let epoch = curves.length; epoch < settings.epochs; epoch++) {
      const epochStarted = performance.now();
      const learningRate = cosineLearningRate(
        epoch,
        settings.epochs,
        settings.learningRate,
        settings.learningRateMin,
      );
      const dropPathProbability = dropPathSchedule(
        epoch,
        settings.epochs,
        settings.dropPathProbability,
      );
      const klWeight = settings.weights === "variational"
        ? klWarmup(epoch, settings.variational.klWarmupEpochs)
        : null;

      const train = await _trainEpoch({
        network,
        optimizer,
        dataset,
        indices: trainIndices,
        settings,
        seed,
        epoch,
        noise,
        learningRate,
        dropPathProbability,
        klWeight,
        progress,
      });

      const lastEpoch = epoch === settings.epochs - 1;
      const testAccuracy = lastEpoch || (epoch + 1) % settings.testEveryEpochs === 0
        ? await accuracy(network, dataset, testSplit, testIndices, settings.batchSize)
        : null;
      const counts = await countParameters(network.store, {
        threshold: settings.variational.pruneThreshold,
      });
      const kl = settings.weights === "variational"
        ? await _readScalar(
          klDivergence(network.store, {
            prior: settings.variational.prior,
            group: "weight",
            includeAuxiliary: false,
          }),
        )
        : null;

      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: train.loss,
        trainCrossEntropy: train.crossEntropy,
        trainAccuracy: train.accuracy,
        testAccuracy,
        learningRate,
        dropPathProbability,
        klWeight,
        kl,
        nonZeroParameters: counts.nonZero,
        seconds: (performance.now() - epochStarted) / 1000,
      };
      curves.push(record);
      log.info(_epochLine(record, settings.epochs));

      if (checkpointPath !== null) {
        const wallSeconds = previousSeconds + (performance.now() - started) / 1000;
        await writeCheckpoint<_CheckpointMeta>(checkpointPath, {
          variables: await readVariables(network.store),
          optimizers: { weights: await optimizer.getState() },
          meta: {
            version: _CHECKPOINT_VERSION,
            fingerprint,
            completedEpochs: epoch + 1,
            curves,
            noise: noise.state(),
            wallSeconds,
          },
        });
      }
      request.onEpoch?.(record);
      request.signal?.throwIfAborted();
    }

    // The last epoch always measures the test accuracy.
    const final = curves[curves.length - 1];
    const counts = await countParameters(network.store, {
      threshold: settings.variational.pruneThreshold,
    });
    const prunedMacs = await network.countMultiplyAccumulates(settings.variational.pruneThreshold);
    return {
      testError: 100 * (1 - (final.testAccuracy as number)),
      measuredOn: request.validation === undefined ? "test" : "validation",
      totalParameters: counts.total,
      nonZeroParameters: counts.nonZero,
      multiplyAccumulates: prunedMacs.total,
      nonZeroMultiplyAccumulates: prunedMacs.nonZero,
      epochs: settings.epochs,
      wallSeconds: previousSeconds + (performance.now() - started) / 1000,
      curves,
      trainExamples: trainIndices.length,
      testExamples: testIndices.length,
      resumedFromEpoch,
      genotypeHash: genotypeHash(genotype),
    };
  } finally {
    optimizer.dispose();
    network.dispose();
  }
}

interface _EpochInput {
  network: EvaluationNetwork;
  optimizer: Sgd;
  dataset: Dataset;
  indices: Int32Array;
  settings: EvaluationSettings;
  seed: number;
  epoch: number;
  noise: NoiseSource;
  learningRate: number;
  dropPathProbability: number;
  klWeight: number | null;
  /** The last finite step loss of this process, updated by each step, for divergence errors. */
  progress: { lastFiniteLoss: number | null };
}

/** Trains one epoch and returns its mean loss, cross-entropy and accuracy. */
async function _trainEpoch(
  input: _EpochInput,
): Promise<{ loss: number; crossEntropy: number; accuracy: number }> {
  const { network, optimizer, dataset, indices, settings, epoch, noise } = input;
  const context = forwardContext(true, noise);
  context.dropPathProbability = input.dropPathProbability;
  const trainCount = indices.length;

  // A final batch of one example would give BN a zero variance; DARTS's
  // PyTorch raises in that case, so it is dropped.
  const dropLast = trainCount % settings.batchSize === 1;
  const stream = batches(dataset, dataset.train, indices, settings.batchSize, {
    seed: seedFromName(input.seed, `epoch ${epoch}`),
    shuffle: true,
    dropLast,
    augment: {
      cropPadding: settings.cropPadding,
      horizontalFlip: settings.horizontalFlip,
      cutoutLength: settings.cutoutLength,
    },
  });

  const stepOptions: TrainingStepOptions = {
    numClasses: dataset.numClasses,
    auxiliaryWeight: settings.auxiliaryWeight,
    kl: input.klWeight === null || input.klWeight === 0 ? null : {
      scale: input.klWeight / trainCount,
      prior: settings.variational.prior,
    },
    gradientClip: settings.gradientClip,
    learningRate: input.learningRate,
  };

  let lossSum = 0;
  let crossEntropySum = 0;
  let correct = 0;
  let seen = 0;
  let step = 0;
  for (const batch of stream) {
    step += 1;
    const size = batch.y.shape[0];
    let result: TrainingStepResult;
    try {
      result = await trainingStep(network, optimizer, batch, context, stepOptions);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }

    if (!Number.isFinite(result.loss)) {
      throw new TrainingDivergedError({
        epoch: epoch + 1,
        step,
        loss: result.loss,
        lastFiniteLoss: input.progress.lastFiniteLoss,
        learningRate: input.learningRate,
      });
    }
    input.progress.lastFiniteLoss = result.loss;

    lossSum += result.loss * size;
    crossEntropySum += result.crossEntropy * size;
    correct += result.correct;
    seen += size;
  }

  return { loss: lossSum / seen, crossEntropy: crossEntropySum / seen, accuracy: correct / seen };
}

function _subset(
  dataset: Dataset,
  split: Split,
  perClass: number | null,
  seed: number,
  name: string,
): Int32Array {
  if (perClass === null) return range(split.count);
  return stratifiedSubset(
    split,
    perClass,
    seedFromName(seed, `${name} subset`),
    dataset.numClasses,
  );
}

/** Returns the convolution factory that `settings.weights` selects, seeded with `seed`. */
export function evaluationConvolutions(
  settings: EvaluationSettings,
  seed: number,
): ConvolutionFactory {
  if (settings.weights === "plain") return createPlainConvolutions({ seed });
  return createVariationalConvolutions({
    seed,
    logSigma2Init: settings.variational.logSigma2Init,
    pruneThreshold: settings.variational.pruneThreshold,
  });
}

function _examples(
  request: EvaluationRequest,
): { trainIndices: Int32Array; testSplit: Split; testIndices: Int32Array } {
  const { dataset, settings, seed, validation } = request;
  if (validation !== undefined) {
    return {
      trainIndices: validation.trainIndices,
      testSplit: dataset.train,
      testIndices: validation.validIndices,
    };
  }

  return {
    trainIndices: _subset(dataset, dataset.train, settings.trainSubsetPerClass, seed, "train"),
    testSplit: dataset.test,
    testIndices: _subset(dataset, dataset.test, settings.testSubsetPerClass, seed, "test"),
  };
}

function _fingerprint(request: EvaluationRequest): string {
  const validation = request.validation === undefined ? null : {
    train: Array.from(request.validation.trainIndices),
    valid: Array.from(request.validation.validIndices),
  };
  return JSON.stringify({
    genotype: JSON.parse(canonicalGenotypeJson(request.genotype)),
    settings: request.settings,
    seed: request.seed,
    dataset: request.dataset.name,
    digests: request.dataset.digests,
    validation,
  });
}

function _checkCheckpoint(meta: _CheckpointMeta, fingerprint: string, path: string): void {
  if (meta.version !== _CHECKPOINT_VERSION) {
    throw new Error(
      `Cannot resume from ${path}: it has checkpoint version ${meta.version}, expected ` +
        `${_CHECKPOINT_VERSION}. Delete it to restart the evaluation.`,
    );
  }
  if (meta.fingerprint !== fingerprint) {
    throw new Error(
      `Cannot resume from ${path}: it was written by an evaluation with a different genotype, ` +
        "settings, seed or dataset. Delete it to restart, or use the request that wrote it.",
    );
  }
}

async function _readScalar(scalar: tf.Scalar): Promise<number> {
  const value = (await scalar.data())[0];
  scalar.dispose();
  return value;
}

function _epochLine(record: EpochRecord, epochs: number): string {
  const parts = [
    `epoch ${record.epoch}/${epochs}`,
    `train_loss ${record.trainLoss.toFixed(3)}`,
    `train_acc ${record.trainAccuracy.toFixed(3)}`,
  ];
  if (record.testAccuracy !== null) parts.push(`test_acc ${record.testAccuracy.toFixed(4)}`);
  parts.push(`lr ${record.learningRate.toPrecision(3)}`);
  if (record.kl !== null) parts.push(`kl ${record.kl.toPrecision(4)}`, `beta ${record.klWeight}`);
  parts.push(`nonzero ${record.nonZeroParameters}`, `${record.seconds.toFixed(1)}s`);
  return parts.join("  ");
}
