/**
 * The evaluation network of a genotype, structured as DARTS's
 * `NetworkCIFAR` (quark0/darts `cnn/model.py`): a 3×3 convolution stem to
 * 3·C channels with BN, `cells` derived cells with reductions at cells/3 and
 * 2·cells/3 (integer division) where C doubles, an optional auxiliary head
 * after cell 2·cells/3, global average pooling and a linear classifier.
 *
 * Works for any square input whose side stays even down to the second
 * reduction (FactorizedReduce needs even sizes), such as 28×28×1 (MNIST,
 * Fashion-MNIST) and 32×32×3 (CIFAR-10).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { BatchNorm } from "../nn/batch_norm.ts";
import { plainConvolutions } from "../nn/conv.ts";
import { type ForwardContext, forwardContext, NoiseSource } from "../nn/context.ts";
import type { ConvolutionFactory, Layer } from "../nn/module.ts";
import { ParameterStore } from "../nn/parameter_store.ts";
import type { Genotype } from "../search/genotype.ts";
import { AuxiliaryHead } from "./auxiliary_head.ts";
import { DerivedCell } from "./cell.ts";
import { Linear } from "./linear.ts";
import { type MacCount, MacCounter, summarizeMacs } from "./macs.ts";

/** The stem has this many times C channels, as in DARTS. */
const _STEM_MULTIPLIER = 3;

/** Options of {@link EvaluationNetwork}. */
export interface EvaluationNetworkOptions {
  genotype: Genotype;
  /** Number of cells (DARTS `layers`); at least 3 so the two reductions are distinct cells. */
  cells: number;
  /** Channels C of the first cells. */
  initChannels: number;
  numClasses: number;
  /** Input `[height, width, channels]`; height must equal width. */
  inputShape: readonly [number, number, number];
  /** Whether to build the auxiliary head after cell 2·cells/3. */
  auxiliary: boolean;
  /** Convolutions of the stem, the preprocessing and the operations: plain or variational. */
  factory: ConvolutionFactory;
  /** Seed of the classifier's initialisation (convolutions take theirs from the factory). */
  seed: number;
}

/** Outputs of a forward pass. */
export interface NetworkOutput {
  /** `[batch, numClasses]`. */
  logits: tf.Tensor2D;
  /** `[batch, numClasses]` in training mode when the network has an auxiliary head, else null. */
  auxiliaryLogits: tf.Tensor2D | null;
}

/** A network built from a genotype, with its variables in {@link store}. */
export class EvaluationNetwork {
  readonly store = new ParameterStore();
  readonly options: EvaluationNetworkOptions;
  /** Index of the cell whose output feeds the auxiliary head: 2·cells/3. */
  readonly auxiliaryCell: number;
  /** Indices of the reduction cells: cells/3 and 2·cells/3. */
  readonly reductionCells: readonly number[];
  private readonly macCounter = new MacCounter();
  private readonly stemConvolution: Layer;
  private readonly stemBatchNorm: BatchNorm;
  private readonly cells: DerivedCell[] = [];
  private readonly auxiliaryHead: AuxiliaryHead | null = null;
  private readonly classifier: Linear;

  constructor(options: EvaluationNetworkOptions) {
    _checkOptions(options);
    this.options = options;
    const { genotype, cells, initChannels, numClasses, inputShape, seed } = options;
    const [size, , inChannels] = inputShape;
    const factory = this.macCounter.wrap(options.factory);

    this.reductionCells = [Math.floor(cells / 3), Math.floor((2 * cells) / 3)];
    this.auxiliaryCell = Math.floor((2 * cells) / 3);

    // Stem: [batch, size, size, inChannels] → [batch, size, size, 3·C].
    const stemChannels = _STEM_MULTIPLIER * initChannels;
    const stem = this.store.scope("stem");
    this.stemConvolution = factory.conv2d(stem, "conv", {
      inChannels,
      outChannels: stemChannels,
      kernelSize: 3,
      stride: 1,
      padding: 1,
      dilation: 1,
    });
    this.stemBatchNorm = new BatchNorm(stem, "bn", { channels: stemChannels, affine: true });

    let channelsPrevPrev = stemChannels;
    let channelsPrev = stemChannels;
    let channels = initChannels;
    let reductionPrevious = false;
    let resolution = size;
    for (let index = 0; index < cells; index++) {
      const reduction = this.reductionCells.includes(index);
      if (reduction) {
        channels *= 2;
        resolution = Math.ceil(resolution / 2);
      }

      const cell = new DerivedCell(this.store, `cells.${index}`, {
        genotype,
        reduction,
        reductionPrevious,
        inChannelsPrevPrev: channelsPrevPrev,
        inChannelsPrev: channelsPrev,
        channels,
        factory,
      });
      this.cells.push(cell);
      reductionPrevious = reduction;
      channelsPrevPrev = channelsPrev;
      channelsPrev = cell.outChannels;

      if (index === this.auxiliaryCell && options.auxiliary) {
        this.auxiliaryHead = new AuxiliaryHead(this.store, "auxiliary_head", {
          channels: channelsPrev,
          inputSize: resolution,
          numClasses,
          factory: plainConvolutions,
          seed,
        });
      }
    }

    this.classifier = new Linear(this.store, "classifier", {
      inFeatures: channelsPrev,
      outFeatures: numClasses,
      seed,
    });
  }

  /**
   * Maps images `[batch, height, width, channels]` to logits. The auxiliary
   * head runs only in training mode, as in DARTS.
   */
  forward(x: tf.Tensor4D, context: ForwardContext): NetworkOutput {
    // tidy keeps every tensor of the returned list and disposes the rest.
    const [logits, auxiliaryLogits = null] = tf.tidy(() => {
      const stem = this.stemBatchNorm.forward(this.stemConvolution.forward(x, context), context);
      let s0 = stem;
      let s1 = stem;
      let auxiliaryLogits: tf.Tensor2D | undefined;
      for (const [index, cell] of this.cells.entries()) {
        [s0, s1] = [s1, cell.forward(s0, s1, context)];
        if (index === this.auxiliaryCell && this.auxiliaryHead !== null && context.training) {
          auxiliaryLogits = this.auxiliaryHead.forward(s1, context);
        }
      }

      // Global average pooling: [batch, h, w, C] → [batch, C].
      const pooled = s1.mean([1, 2]) as tf.Tensor2D;
      this.macCounter.recordLinear(
        this.classifier.name,
        this.classifier.inFeatures,
        this.classifier.outFeatures,
      );
      const logits = this.classifier.forward(pooled);
      return auxiliaryLogits === undefined ? [logits] : [logits, auxiliaryLogits];
    }) as tf.Tensor2D[];
    return { logits, auxiliaryLogits };
  }

  /**
   * Counts the multiply-accumulates of one image through the network in
   * inference mode (auxiliary head excluded). Variational layers count
   * only weights with log α ≤ `threshold` in `nonZero`.
   */
  async countMultiplyAccumulates(threshold = 3): Promise<MacCount> {
    const [height, width, channels] = this.options.inputShape;
    this.macCounter.clear();
    this.macCounter.recording = true;
    try {
      const output = tf.tidy(() => {
        const context = forwardContext(false, new NoiseSource(0));
        return this.forward(tf.zeros([1, height, width, channels]), context).logits;
      });
      output.dispose();
    } finally {
      this.macCounter.recording = false;
    }

    const count = await summarizeMacs(this.macCounter.records, this.store, threshold);
    this.macCounter.clear();
    return count;
  }

  /** Stride of the auxiliary head's 5×5 pooling, or null without a head. */
  get auxiliaryPoolStride(): number | null {
    return this.auxiliaryHead?.poolStride ?? null;
  }

  /** Disposes every variable of the network. */
  dispose(): void {
    this.store.dispose();
  }
}

function _checkOptions(options: EvaluationNetworkOptions): void {
  const { cells, initChannels, numClasses, inputShape } = options;
  if (!Number.isInteger(cells) || cells < 3) {
    throw new RangeError(
      `Cannot build an evaluation network with ${cells} cells: expected an integer ≥ 3, so the ` +
        "reductions at cells/3 and 2·cells/3 are distinct cells.",
    );
  }
  if (!Number.isInteger(initChannels) || initChannels < 1) {
    throw new RangeError(`Cannot build an evaluation network with ${initChannels} channels.`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`Cannot build a classifier for ${numClasses} classes: expected ≥ 2.`);
  }
  const [height, width] = inputShape;
  if (height !== width) {
    throw new RangeError(
      `Cannot build an evaluation network for ${height}×${width} inputs: height must equal width.`,
    );
  }
}
