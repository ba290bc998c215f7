/**
 * Multiply-accumulate operations (MACs) per image, counted from the layers a
 * forward pass actually runs rather than from a formula of the genotype.
 *
 * A network built with {@link MacCounter.wrap} around its convolution factory
 * reports every convolution it runs while the counter records. Each
 * convolution costs weights·H_out·W_out MACs per image, which is
 * k·k·(C_in/groups)·C_out·H_out·W_out. A linear layer costs in·out. Batch
 * norm, ReLU, pooling, additions and bias terms are not counted, the
 * convention of PyTorch hook-based counters (and of the PyTorch fixture that
 * checks these numbers).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { logAlpha } from "../nn/kl.ts";
import type { ConvolutionFactory, Layer } from "../nn/module.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";

/** One convolution or linear layer that ran during a counted forward pass. */
export interface MacRecord {
  /** Full parameter-store name of the layer. */
  name: string;
  kind: "conv2d" | "depthwise" | "linear";
  /** Number of weights of the layer (bias excluded). */
  weights: number;
  /** Output positions per image: H_out·W_out for a convolution, 1 for a linear layer. */
  positions: number;
  /** MACs per image: weights·positions. */
  macs: number;
}

/** MACs per image of a network, dense and after pruning. */
export interface MacCount {
  /** Every weight of every counted layer. */
  total: number;
  /** Only weights that survive pruning (log α ≤ threshold); equals `total` without variational layers. */
  nonZero: number;
  /** The layers in the order they ran. */
  layers: MacRecord[];
}

/** Records the convolutions and linear layers that run while `recording` is true. */
export class MacCounter {
  recording = false;
  readonly records: MacRecord[] = [];

  /** Returns a factory whose layers report themselves to this counter. */
  wrap(factory: ConvolutionFactory): ConvolutionFactory {
    return {
      variational: factory.variational,
      conv2d: (store, name, options) => {
        const weights = options.kernelSize ** 2 * options.inChannels * options.outChannels;
        const layer = factory.conv2d(store, name, options);
        return this.recordingLayer(layer, store.scope(name).prefix, "conv2d", weights);
      },
      depthwise: (store, name, options) => {
        const weights = options.kernelSize ** 2 * options.channels;
        const layer = factory.depthwise(store, name, options);
        return this.recordingLayer(layer, store.scope(name).prefix, "depthwise", weights);
      },
    };
  }

  /** Records a linear layer of `inFeatures`·`outFeatures` weights, if recording. */
  recordLinear(name: string, inFeatures: number, outFeatures: number): void {
    if (!this.recording) return;
    const weights = inFeatures * outFeatures;
    this.records.push({ name, kind: "linear", weights, positions: 1, macs: weights });
  }

  /** Forgets every record. */
  clear(): void {
    this.records.length = 0;
  }

  private recordingLayer(
    inner: Layer,
    name: string,
    kind: "conv2d" | "depthwise",
    weights: number,
  ): Layer {
    return {
      forward: (x, context) => {
        const y = inner.forward(x, context);
        if (this.recording) {
          // y: [batch, height, width, channels]; MACs are per image.
          const positions = y.shape[1] * y.shape[2];
          this.records.push({ name, kind, weights, positions, macs: weights * positions });
        }
        return y;
      },
    };
  }
}

/**
 * Sums `records` into dense and pruned MACs. A layer with a variational
 * weight pair of the same name in `store` counts only its weights with
 * log α ≤ `threshold` in `nonZero`. Async because webgpu reads tensors only
 * asynchronously.
 */
export async function summarizeMacs(
  records: readonly MacRecord[],
  store: ParameterStore,
  threshold: number,
): Promise<MacCount> {
  const pairs = new Map(store.variationalPairs("weight").map((pair) => [pair.name, pair]));
  const keptWeights = new Map<string, number>();

  let total = 0;
  let nonZero = 0;
  for (const record of records) {
    total += record.macs;

    const pair = pairs.get(record.name);
    if (pair === undefined) {
      nonZero += record.macs;
      continue;
    }

    let kept = keptWeights.get(record.name);
    if (kept === undefined) {
      const count = tf.tidy(() =>
        logAlpha(pair.theta, pair.logSigma2).lessEqual(threshold).cast("int32").sum()
      );
      kept = (await count.data())[0];
      count.dispose();
      keptWeights.set(record.name, kept);
    }
    nonZero += kept * record.positions;
  }

  return { total, nonZero, layers: [...records] };
}
