/**
 * A cell of the search supergraph (DARTS's `Cell` in quark0/darts
 * `cnn/model_search.py`): two preprocessed inputs, four intermediate nodes,
 * and on each of the 14 edges every candidate operation, mixed by the
 * architecture. The output concatenates the four intermediate nodes along
 * channels.
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
import type { Architecture, EdgeMixer, OperationOutput } from "./architecture.ts";
import type { CellType } from "./derive.ts";
import { CELL_STEPS, edgesOfNode } from "./primitives.ts";

/** Options of {@link SearchCell}. */
export interface SearchCellOptions {
  /** Channels of the input two cells back. */
  previousPreviousChannels: number;
  /** Channels of the previous cell's output. */
  previousChannels: number;
  /** Channels C of every intermediate node; the output has 4·C. */
  channels: number;
  reduction: boolean;
  /** Whether the previous cell halved the resolution, so input 0 has twice this cell's. */
  reductionPrevious: boolean;
  factory: ConvolutionFactory;
  architecture: Architecture;
}

/** One normal or reduction cell of the supergraph. */
export class SearchCell {
  readonly cellType: CellType;
  readonly channels: number;
  private readonly preprocess0: Layer;
  private readonly preprocess1: Layer;
  /** `operations[edge][op]`: null where the candidate is `none`. */
  private readonly operations: (Layer | null)[][];
  private readonly architecture: Architecture;
  private readonly reduction: boolean;

  constructor(store: ParameterStore, options: SearchCellOptions) {
    const { channels, factory, architecture } = options;
    this.cellType = options.reduction ? "reduce" : "normal";
    this.channels = channels;
    this.architecture = architecture;
    this.reduction = options.reduction;

    // Search networks use BN without affine parameters (DARTS `affine=False`).
    const affine = false;
    this.preprocess0 = options.reductionPrevious
      ? new FactorizedReduce(store, "preprocess0", {
        inChannels: options.previousPreviousChannels,
        outChannels: channels,
        affine,
        factory,
      })
      : _pointwise(store, "preprocess0", options.previousPreviousChannels, channels, factory);
    this.preprocess1 = _pointwise(
      store,
      "preprocess1",
      options.previousChannels,
      channels,
      factory,
    );

    this.operations = [];
    for (let step = 0; step < CELL_STEPS; step++) {
      const { start, end } = edgesOfNode(step);
      for (let edge = start; edge < end; edge++) {
        // Edges from the two cell inputs halve the resolution in a reduction cell.
        const stride = options.reduction && edge - start < 2 ? 2 : 1;
        const edgeStore = store.scope(`edges.${edge}`);
        this.operations.push(
          architecture.candidates.map((primitive) =>
            primitive === "none" ? null : createOperation(primitive, {
              store: edgeStore,
              name: primitive,
              channels,
              stride,
              affine,
              factory,
              poolBatchNorm: true,
            })
          ),
        );
      }
    }
  }

  /**
   * Maps the outputs of the two previous cells to this cell's output
   * `[batch, height / s, width / s, 4·channels]` (s = 2 in a reduction cell).
   * Operations the architecture does not compute are skipped, and an edge
   * with no computed operation is left out of its node's sum.
   */
  forward(
    input0: tf.Tensor4D,
    input1: tf.Tensor4D,
    mixer: EdgeMixer,
    context: ForwardContext,
  ): tf.Tensor4D {
    return tf.tidy(() => {
      const states = [
        this.preprocess0.forward(input0, context),
        this.preprocess1.forward(input1, context),
      ];

      for (let step = 0; step < CELL_STEPS; step++) {
        const { start } = edgesOfNode(step);
        const edgeOutputs: tf.Tensor4D[] = [];
        states.forEach((state, input) => {
          const edge = start + input;
          const outputs = this.computeEdge(edge, state, context);
          if (outputs.length > 0) edgeOutputs.push(mixer.mix(this.cellType, edge, outputs));
        });
        states.push(
          edgeOutputs.length === 0 ? this.zeroNode(states[1]) : _sum(edgeOutputs),
        );
      }

      return tf.concat(states.slice(2), 3);
    });
  }

  /** Returns whether `edge` still computes at least one operation. */
  isEdgeActive(edge: number): boolean {
    return this.operations[edge].some((_, op) =>
      this.architecture.isComputed(this.cellType, edge, op)
    );
  }

  private computeEdge(edge: number, state: tf.Tensor4D, context: ForwardContext) {
    const outputs: OperationOutput[] = [];
    this.operations[edge].forEach((operation, op) => {
      if (operation === null || !this.architecture.isComputed(this.cellType, edge, op)) return;
      outputs.push({ op, output: operation.forward(state, context) });
    });
    return outputs;
  }

  /** Zeros of an intermediate node whose incoming edges were all removed. */
  private zeroNode(input1: tf.Tensor4D): tf.Tensor4D {
    const [batch, height, width] = input1.shape;
    const s = this.reduction ? 2 : 1;
    return tf.zeros([batch, Math.ceil(height / s), Math.ceil(width / s), this.channels]);
  }
}

function _pointwise(
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
    affine: false,
    factory,
  });
}

function _sum(tensors: tf.Tensor4D[]): tf.Tensor4D {
  return tensors.length === 1 ? tensors[0] : tf.addN(tensors);
}
