/**
 * Composition of backend kernels inside a kernel. A kernel registered by the
 * engine runs below tfjs's tensor layer, so it calls the backend's own
 * kernels on `TensorInfo`s and frees every intermediate as soon as the
 * result exists, instead of waiting for the enclosing tidy.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;

/** Explicit NHWC padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [
  number,
  number,
]];

/**
 * Runs kernels of one backend and owns their outputs until {@link finish}
 * frees all of them except the result.
 */
export class KernelCalls {
  readonly backend: tf.KernelBackend;
  readonly backendName: string;
  private readonly intermediates: TensorInfo[] = [];

  constructor(backend: tf.KernelBackend, backendName: string) {
    this.backend = backend;
    this.backendName = backendName;
  }

  /** Runs the backend's kernel `kernelName`; the output is freed by {@link finish}. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(
        `Cannot run kernel ${kernelName} on backend ${this.backendName}: it is not registered. ` +
          "Use the cpu, wasm or webgpu backend.",
      );
    }

    const output = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    const info = Array.isArray(output) ? output[0] : output;
    this.intermediates.push(info);
    return info;
  }

  /** Frees every intermediate except `result` and returns `result`. */
  finish(result: TensorInfo): TensorInfo {
    for (const info of this.intermediates) {
      if (info !== result) this.backend.disposeData(info.dataId);
    }
    this.intermediates.length = 0;
    return result;
  }

  /** Frees every intermediate; for error paths. */
  abandon(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run("Slice", { x }, { begin, size });
  }

  /** Zero padding of a tensor of rank 4 or less. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.length > 4) {
      // tfjs-backend-webgpu 4.22.0 under Deno returns wrong values for rank ≥ 5.
      throw new RangeError(
        `Cannot pad a rank-${paddings.length} tensor inside an engine kernel: expected rank ≤ 4.`,
      );
    }
    return this.run("PadV2", { x }, { paddings, constantValue: 0 });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run("Reverse", { x }, { dims });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run("Sum", { x }, { axis, keepDims: false });
  }

  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: number,
    pad: ExplicitPadding,
    dilations: number,
  ): TensorInfo {
    return this.run("Conv2D", { x, filter }, {
      strides,
      pad,
      dataFormat: "NHWC",
      dilations,
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
  }

  depthwiseConv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: number,
    pad: ExplicitPadding,
    dilations: number,
  ): TensorInfo {
    return this.run("DepthwiseConv2dNative", { x, filter }, {
      strides,
      pad,
      dataFormat: "NHWC",
      dilations,
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
  }

  /**
   * Inserts `stride - 1` zero rows and columns between the pixels of `x`
   * `[batch, height, width, channels]`, giving `[batch, (height - 1)·stride
   * + 1, (width - 1)·stride + 1, channels]`. Uses rank-4 pads only.
   */
  insertZeros(x: TensorInfo, stride: number): TensorInfo {
    if (stride === 1) return x;

    const [batch, height, width, channels] = x.shape;
    const rows = (height - 1) * stride + 1;
    const columns = (width - 1) * stride + 1;

    // Rows: [batch, height, 1, width·channels] padded to s rows per pixel.
    let y = this.reshape(x, [batch, height, 1, width * channels]);
    y = this.pad(y, [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
    y = this.reshape(y, [batch, height * stride, width, channels]);
    y = this.slice(y, [0, 0, 0, 0], [batch, rows, width, channels]);

    // Columns: [batch·rows, width, 1, channels] padded to s columns per pixel.
    y = this.reshape(y, [batch * rows, width, 1, channels]);
    y = this.pad(y, [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
    y = this.reshape(y, [batch, rows, width * stride, channels]);
    return this.slice(y, [0, 0, 0, 0], [batch, rows, columns, channels]);
  }

  /**
   * Applies `[[top, bottom], [left, right]]` to height and width where a side
   * may be negative: positive sides are returned as padding for the
   * convolution, negative sides are cropped from `x` here.
   */
  cropNegative(
    x: TensorInfo,
    top: number,
    bottom: number,
    left: number,
    right: number,
  ): { x: TensorInfo; pad: ExplicitPadding } {
    const pad: ExplicitPadding = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [
      Math.max(left, 0),
      Math.max(right, 0),
    ], [0, 0]];
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return { x, pad };

    const [batch, height, width, channels] = x.shape;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const keptHeight = height - cropTop - Math.max(-bottom, 0);
    const keptWidth = width - cropLeft - Math.max(-right, 0);
    const cropped = this.slice(x, [0, cropTop, cropLeft, 0], [
      batch,
      keptHeight,
      keptWidth,
      channels,
    ]);
    return { x: cropped, pad };
  }
}
