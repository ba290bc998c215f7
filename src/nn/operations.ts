/**
 * The eight candidate operations of the DARTS search space, built exactly
 * as `OPS` in DARTS's `operations.py` (quark0/darts, `cnn/`), from any
 * {@link ConvolutionFactory}: the same definitions serve ordinary and sparse
 * variational convolutions.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Primitive } from "../search/primitives.ts";
import { BatchNorm } from "./batch_norm.ts";
import type { ForwardContext } from "./context.ts";
import { DilConv } from "./dil_conv.ts";
import { FactorizedReduce } from "./factorized_reduce.ts";
import type { ConvolutionFactory, Layer } from "./module.ts";
import type { ParameterStore } from "./parameter_store.ts";
import { AvgPool, MaxPool } from "./pooling.ts";
import { SepConv } from "./sep_conv.ts";

/** Options of {@link createOperation}. */
export interface OperationOptions {
  store: ParameterStore;
  /** Scope of the operation's parameters in `store`. */
  name: string;
  /** Input and output channels. */
  channels: number;
  /** 1 in normal cells; 2 on the edges from the cell inputs in reduction cells. */
  stride: number;
  /** Whether BN layers learn γ and β (false in DARTS search networks). */
  affine: boolean;
  factory: ConvolutionFactory;
  /**
   * Append BN without affine parameters to the pooling operations, as
   * DARTS's search network (`MixedOp` in `model_search.py`) does.
   */
  poolBatchNorm: boolean;
}

/** Builds the candidate operation `primitive`. */
export function createOperation(primitive: Primitive, options: OperationOptions): Layer {
  const { store, name, channels, stride, affine, factory, poolBatchNorm } = options;
  if (stride !== 1 && stride !== 2) {
    throw new RangeError(
      `Cannot create operation ${primitive} with stride ${stride}: DARTS cells use stride 1 or 2.`,
    );
  }

  const convolution = { inChannels: channels, outChannels: channels, affine, factory, stride };
  switch (primitive) {
    case "none":
      return new Zero(stride);
    case "max_pool_3x3":
    case "avg_pool_3x3": {
      const pooling = { kernel: 3, stride, padding: 1 };
      const pool = primitive === "max_pool_3x3" ? new MaxPool(pooling) : new AvgPool(pooling);
      if (!poolBatchNorm) return pool;
      const batchNorm = new BatchNorm(store.scope(name), "bn", { channels, affine: false });
      return new Sequence([pool, batchNorm]);
    }
    case "skip_connect":
      if (stride === 1) return new Identity();
      return new FactorizedReduce(store, name, {
        inChannels: channels,
        outChannels: channels,
        affine,
        factory,
      });
    case "sep_conv_3x3":
      return new SepConv(store, name, { ...convolution, kernelSize: 3, padding: 1 });
    case "sep_conv_5x5":
      return new SepConv(store, name, { ...convolution, kernelSize: 5, padding: 2 });
    case "dil_conv_3x3":
      return new DilConv(store, name, { ...convolution, kernelSize: 3, padding: 2, dilation: 2 });
    case "dil_conv_5x5":
      return new DilConv(store, name, { ...convolution, kernelSize: 5, padding: 4, dilation: 2 });
    default:
      throw new RangeError(`Cannot create operation ${primitive}: it is not a DARTS primitive.`);
  }
}

/**
 * The `none` operation: zeros shaped like `x` subsampled by the stride,
 * `[batch, ⌈height / s⌉, ⌈width / s⌉, channels]` (DARTS computes
 * `x[:, :, ::s, ::s] * 0`).
 */
export class Zero implements Layer {
  readonly stride: number;

  constructor(stride: number) {
    this.stride = stride;
  }

  forward(x: tf.Tensor4D, _context: ForwardContext): tf.Tensor4D {
    const [batch, height, width, channels] = x.shape;
    const s = this.stride;
    return tf.zeros([batch, Math.ceil(height / s), Math.ceil(width / s), channels]);
  }
}

/** `skip_connect` at stride 1. Returns a new tensor handle, so callers may dispose it. */
export class Identity implements Layer {
  forward(x: tf.Tensor4D, _context: ForwardContext): tf.Tensor4D {
    return tf.clone(x);
  }
}

/** Layers applied one after another. */
export class Sequence implements Layer {
  readonly layers: Layer[];

  constructor(layers: Layer[]) {
    this.layers = layers;
  }

  forward(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const layer of this.layers) y = layer.forward(y, context);
      return y;
    });
  }
}
