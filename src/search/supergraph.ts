/**
 * The over-parameterised search network (DARTS's `Network` in quark0/darts
 * `cnn/model_search.py`): a stem (3×3 convolution to 3·C channels, BN),
 * `cells` cells with reduction cells at depth ⌊cells/3⌋ and ⌊2·cells/3⌋
 * where the channels double, global average pooling and a linear
 * classifier. Every edge of every cell mixes all candidate operations.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { Linear } from "../evaluate/linear.ts";
import { BatchNorm } from "../nn/batch_norm.ts";
import type { ForwardContext } from "../nn/context.ts";
import type { ConvolutionFactory, Layer } from "../nn/module.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type { Architecture } from "./architecture.ts";
import { SearchCell } from "./search_cell.ts";
import { CELL_STEPS } from "./primitives.ts";

/** Options of {@link Supergraph}. */
export interface SupergraphOptions {
  /** Number of cells. */
  cells: number;
  /** Channels C of the first cells. */
  initChannels: number;
  /** Channels of the input images (1 for MNIST, 3 for CIFAR-10). */
  inputChannels: number;
  classes: number;
  /** The stem outputs this many times C channels. @default 3 */
  stemMultiplier?: number;
  /** Makes every convolution: ordinary for DARTS, sparse variational for VINNAS. */
  factory: ConvolutionFactory;
  architecture: Architecture;
  /** Seed of the classifier's initialisation. */
  seed: number;
}

/** Returns whether cell `index` of `cells` is a reduction cell (DARTS: `i in [layers//3, 2*layers//3]`). */
export function isReductionCell(index: number, cells: number): boolean {
  return index === Math.floor(cells / 3) || index === Math.floor((2 * cells) / 3);
}

/** The search network; its variables live in the store it was built with. */
export class Supergraph {
  readonly cells: SearchCell[];
  readonly architecture: Architecture;
  private readonly stemConvolution: Layer;
  private readonly stemBatchNorm: BatchNorm;
  private readonly classifier: Linear;

  constructor(store: ParameterStore, options: SupergraphOptions) {
    const { cells, initChannels, inputChannels, classes, factory, architecture } = options;
    _checkSize(options);
    this.architecture = architecture;

    // The stem's BN keeps its affine parameters, as in DARTS's search network.
    const stemChannels = (options.stemMultiplier ?? 3) * initChannels;
    const stem = store.scope("stem");
    this.stemConvolution = factory.conv2d(stem, "conv", {
      inChannels: inputChannels,
      outChannels: stemChannels,
      kernelSize: 3,
      stride: 1,
      padding: 1,
      dilation: 1,
    });
    this.stemBatchNorm = new BatchNorm(stem, "bn", { channels: stemChannels, affine: true });

    let previousPrevious = stemChannels;
    let previous = stemChannels;
    let channels = initChannels;
    let reductionPrevious = false;
    this.cells = [];
    for (let index = 0; index < cells; index++) {
      const reduction = isReductionCell(index, cells);
      if (reduction) channels *= 2;
      this.cells.push(
        new SearchCell(store.scope(`cells.${index}`), {
          previousPreviousChannels: previousPrevious,
          previousChannels: previous,
          channels,
          reduction,
          reductionPrevious,
          factory,
          architecture,
        }),
      );
      reductionPrevious = reduction;
      previousPrevious = previous;
      previous = CELL_STEPS * channels;
    }

    this.classifier = new Linear(store, "classifier", {
      inFeatures: previous,
      outFeatures: classes,
      seed: options.seed,
    });
  }

  /** Maps images `[batch, height, width, channels]` to logits `[batch, classes]`. */
  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      const mixer = this.architecture.mixer(context);
      const stem = this.stemBatchNorm.forward(this.stemConvolution.forward(x, context), context);

      let input0 = stem;
      let input1 = stem;
      for (const cell of this.cells) {
        const output = cell.forward(input0, input1, mixer, context);
        input0 = input1;
        input1 = output;
      }

      const pooled = input1.mean([1, 2]) as tf.Tensor2D;
      return this.classifier.forward(pooled);
    });
  }
}

function _checkSize(options: SupergraphOptions): void {
  const { cells, initChannels, inputChannels, classes } = options;
  const positive = [cells, initChannels, inputChannels, classes]
    .every((value) => Number.isInteger(value) && value >= 1);
  if (!positive) {
    throw new RangeError(
      `Cannot build a supergraph with ${cells} cells, ${initChannels} initial channels, ` +
        `${inputChannels} input channels and ${classes} classes: all must be positive integers.`,
    );
  }
}
