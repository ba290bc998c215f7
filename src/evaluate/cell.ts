/**
 * A derived cell of an evaluation network (the `Cell` of quark0/darts
 * `cnn/model.py`): two preprocessed inputs, four intermediate nodes that
 * each sum two operations of the genotype, and the concatenation of the
 * genotype's `concat` nodes along channels.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ForwardContext } from "../nn/context.ts";
import { FactorizedReduce } from "../nn/factorized_reduce.ts";
import type { ConvolutionFactory, Layer } from "../nn/module.ts";
import { createOperation } from "../nn/operations.ts";
import type { ParameterStore } from "../nn/parameter_store.ts";
import { ReLUConvBN } from "../nn/relu_conv_bn.ts";
import type { Genotype } from "../search/genotype.ts";
import { dropPath } from "./drop_path.ts";

/** Options of {@link DerivedCell}. */
export interface DerivedCellOptions {
  genotype: Genotype;
  /** Whether this cell halves the resolution and uses the genotype's reduce cell. */
  reduction: boolean;
  /** Whether the previous cell was a reduction, so input 0 has twice this cell's resolution. */
  reductionPrevious: boolean;
  /** Channels of input 0 (the output of the cell before the previous one). */
  inChannelsPrevPrev: number;
  /** Channels of input 1 (the output of the previous cell). */
  inChannelsPrev: number;
  /** Channels C of every node of this cell. */
  channels: number;
  factory: ConvolutionFactory;
}

/** One edge of the cell: its operation, input node and whether drop path skips it. */
interface _Edge {
  operation: Layer;
  input: number;
  /** Stride-1 `skip_connect` is the identity, which DARTS never drops. */
  identity: boolean;
}

/** A cell built from a genotype. */
export class DerivedCell {
  /** Channels of the output: C times the number of concatenated nodes. */
  readonly outChannels: number;
  readonly reduction: boolean;
  private readonly preprocess0: Layer;
  private readonly preprocess1: Layer;
  private readonly edges: _Edge[];
  private readonly concat: readonly number[];

  constructor(store: ParameterStore, name: string, options: DerivedCellOptions) {
    const { genotype, reduction, reductionPrevious, channels, factory } = options;
    const cell = store.scope(name);

    // Input 0 comes from two cells back; after a reduction it has twice this
    // cell's resolution, so FactorizedReduce halves it.
    this.preprocess0 = reductionPrevious
      ? new FactorizedReduce(cell, "preprocess0", {
        inChannels: options.inChannelsPrevPrev,
        outChannels: channels,
        affine: true,
        factory,
      })
      : _preprocess(cell, "preprocess0", options.inChannelsPrevPrev, channels, factory);
    this.preprocess1 = _preprocess(cell, "preprocess1", options.inChannelsPrev, channels, factory);

    const edges = reduction ? genotype.reduce : genotype.normal;
    this.concat = reduction ? genotype.reduceConcat : genotype.normalConcat;
    this.edges = edges.map(([primitive, input], index) => {
      // In a reduction cell, only edges from the cell inputs change resolution.
      const stride = reduction && input < 2 ? 2 : 1;
      const operation = createOperation(primitive, {
        store: cell,
        name: `ops.${index}`,
        channels,
        stride,
        affine: true,
        factory,
        poolBatchNorm: false,
      });
      return { operation, input, identity: primitive === "skip_connect" && stride === 1 };
    });
    this.outChannels = channels * this.concat.length;
    this.reduction = reduction;
  }

  /**
   * Maps the two cell inputs to the cell output `[batch, h, w, outChannels]`,
   * where h and w are halved in a reduction cell. Drop path applies to every
   * non-identity edge when training with a positive probability.
   */
  forward(s0: tf.Tensor4D, s1: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const states = [this.preprocess0.forward(s0, context), this.preprocess1.forward(s1, context)];
      const dropProbability = context.training ? context.dropPathProbability : 0;

      for (let node = 0; node < this.edges.length / 2; node++) {
        const [first, second] = [this.edges[2 * node], this.edges[2 * node + 1]].map((edge) => {
          const h = edge.operation.forward(states[edge.input], context);
          return edge.identity ? h : dropPath(h, dropProbability, context.noise);
        });
        states.push(first.add(second));
      }

      return tf.concat(this.concat.map((index) => states[index]), 3);
    });
  }
}

function _preprocess(
  store: ParameterStore,
  name: string,
  inChannels: number,
  outChannels: number,
  factory: ConvolutionFactory,
): Layer {
  return new ReLUConvBN(store, name, {
    inChannels,
    outChannels,
    kernelSize: 1,
    stride: 1,
    padding: 0,
    affine: true,
    factory,
  });
}
