/**
 * A timing benchmark of one DARTS mixed operation: the eight candidate
 * operations applied to one input and summed with softmax weights, forward
 * and backward, as on every edge of a DARTS search cell.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { createPlainConvolutions } from "../nn/conv.ts";
import { createOperation } from "../nn/operations.ts";
import { ParameterStore } from "../nn/parameter_store.ts";
import { type Primitive, PRIMITIVES } from "../search/primitives.ts";
import { type BackendChoice, type BackendInfo, initBackend } from "./backend.ts";
import { readScalar } from "./read.ts";

/** Options of {@link benchMixedOperation}; the defaults are DARTS's first search cell. */
export interface MixedOperationBenchOptions {
  /** Backend to initialise first; omit to use the current one. */
  backend?: BackendChoice;
  /** @default 16 */
  channels?: number;
  /** Input height and width. @default 32 */
  size?: number;
  /** @default 32 */
  batch?: number;
  /** 1 (normal cell) or 2 (reduction cell edge). @default 1 */
  stride?: number;
  /** Timed steps. @default 5 */
  steps?: number;
  /** Untimed steps first (shader compilation, buffer pools). @default 2 */
  warmup?: number;
  /** @default all eight DARTS primitives */
  primitives?: readonly Primitive[];
}

/** Timing of one mixed operation. */
export interface MixedOperationBenchResult {
  backend: string;
  /** Present when the benchmark initialised the backend. */
  backendInfo?: BackendInfo;
  channels: number;
  size: number;
  batch: number;
  stride: number;
  steps: number;
  /** Median wall time of one forward + backward step, in milliseconds. */
  msPerStep: number;
  /** Fastest step, in milliseconds. */
  msPerStepMin: number;
  /**
   * Process CPU time per step (all threads, including lavapipe's for webgpu
   * on a software adapter), in milliseconds: less sensitive than wall time
   * to other processes on a shared machine.
   */
  cpuMsPerStep: number;
  /**
   * Convolution work of one step in GFLOP: 2 FLOP per multiply-accumulate,
   * forward plus input and weight gradients (3 × forward). Pooling, batch
   * norm and elementwise work are not counted.
   */
  gflopPerStep: number;
  /** gflopPerStep / median step time. */
  gflopPerSecond: number;
}

/**
 * Times forward + backward of Σ softmax(α)_i · op_i(x) with gradients for
 * x, α and every weight, reading the loss each step so that asynchronous
 * backends finish their work inside the timed interval.
 */
export async function benchMixedOperation(
  options: MixedOperationBenchOptions = {},
): Promise<MixedOperationBenchResult> {
  const channels = options.channels ?? 16;
  const size = options.size ?? 32;
  const batch = options.batch ?? 32;
  const stride = options.stride ?? 1;
  const steps = options.steps ?? 5;
  const warmup = options.warmup ?? 2;
  const primitives = options.primitives ?? PRIMITIVES;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`Cannot benchmark ${steps} steps: steps must be an integer ≥ 1.`);
  }

  const backendInfo = options.backend === undefined
    ? undefined
    : await initBackend(options.backend);
  const { step, dispose } = createMixedOperationStep({ channels, size, batch, stride, primitives });

  try {
    for (let i = 0; i < warmup; i++) await step();
    const times: number[] = [];
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      await step();
      times.push(performance.now() - start);
    }
    const cpu = process.cpuUsage(cpuStart);

    times.sort((a, b) => a - b);
    const msPerStep = times[Math.floor(times.length / 2)];
    const gflopPerStep = 3 * 2 * batch *
      primitives.reduce((sum, p) => sum + mixedOperationMacs(p, channels, size, stride), 0) / 1e9;
    return {
      backend: tf.getBackend(),
      backendInfo,
      channels,
      size,
      batch,
      stride,
      steps,
      msPerStep,
      msPerStepMin: times[0],
      cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps,
      gflopPerStep,
      gflopPerSecond: gflopPerStep / (msPerStep / 1000),
    };
  } finally {
    dispose();
  }
}

/** A mixed-operation training step and the release of its tensors. */
export interface MixedOperationStep {
  /** Runs forward and backward once and waits for the loss. */
  step: () => Promise<void>;
  /** Frees the input and every variable. */
  dispose: () => void;
}

/**
 * Builds the mixed operation of {@link benchMixedOperation} on the current
 * backend: Σ softmax(α)_i · op_i(x) with gradients for x, α and every weight.
 */
export function createMixedOperationStep(
  options: Required<
    Pick<MixedOperationBenchOptions, "channels" | "size" | "batch" | "stride" | "primitives">
  >,
): MixedOperationStep {
  const { channels, size, batch, stride, primitives } = options;
  const store = new ParameterStore();
  const factory = createPlainConvolutions({ seed: 1 });
  const operations = primitives.map((primitive) =>
    createOperation(primitive, {
      store,
      name: primitive,
      channels,
      stride,
      affine: false,
      factory,
      poolBatchNorm: true,
    })
  );
  const alpha = store.add("alpha", tf.randomNormal([primitives.length], 0, 1e-3, "float32", 2), {
    role: "architecture",
  });
  const xInitial = tf.randomNormal([batch, size, size, channels], 0, 1, "float32", 3);
  const x = tf.variable(xInitial, true, `bench_input_${Date.now()}`);
  xInitial.dispose();
  const context = forwardContext(true, new NoiseSource(4));
  const variables = [x, ...store.variables("weight", "architecture")];

  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const weights = tf.softmax(alpha);
        const outputs = operations.map((operation, i) =>
          tf.mul(operation.forward(x as tf.Tensor4D, context), tf.slice(weights, [i], [1]))
        );
        return tf.mean(tf.square(tf.addN(outputs))) as tf.Scalar;
      }, variables);
      tf.dispose(Object.values(grads));
      return value;
    });
    await readScalar(loss);
    loss.dispose();
  };

  return {
    step,
    dispose: () => {
      x.dispose();
      store.dispose();
    },
  };
}

/**
 * Multiply-accumulates of the convolutions of one candidate operation for
 * one image of `size × size × channels`, forward only.
 */
export function mixedOperationMacs(
  primitive: Primitive,
  channels: number,
  size: number,
  stride: number,
): number {
  const out = Math.ceil(size / stride);
  const pointwise = channels * channels * out * out;
  const depthwise = (kernel: number, pixels: number) => kernel * kernel * channels * pixels;

  switch (primitive) {
    case "sep_conv_3x3":
    case "sep_conv_5x5": {
      const kernel = primitive === "sep_conv_3x3" ? 3 : 5;
      return 2 * depthwise(kernel, out * out) + 2 * pointwise;
    }
    case "dil_conv_3x3":
    case "dil_conv_5x5": {
      const kernel = primitive === "dil_conv_3x3" ? 3 : 5;
      return depthwise(kernel, out * out) + pointwise;
    }
    case "skip_connect":
      // FactorizedReduce at stride 2: two 1×1 convolutions to half the channels each.
      return stride === 1 ? 0 : pointwise;
    default:
      return 0;
  }
}
