/**
 * The tensor operations the layers are built from, in NHWC layout with
 * PyTorch-style symmetric integer padding. Every operation here is
 * differentiable on the cpu, wasm and webgpu backends once the engine's
 * kernels and gradients are installed, which each call ensures.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { ensureEngineInstalled } from "./install.ts";

/** Options of a convolution; `padding` is added on every side, in pixels. */
export interface ConvolutionOpOptions {
  stride: number;
  padding: number;
  dilation: number;
}

/** Options of a pooling window; `padding` is added on every side, in pixels. */
export interface PoolOptions {
  kernel: number;
  stride: number;
  padding: number;
}

/** Options of average pooling. */
export interface AvgPoolOptions extends PoolOptions {
  /**
   * Whether padded positions count in the divisor. Only `false` is
   * implemented, which is what DARTS uses (`count_include_pad=False`).
   */
  countIncludePad: false;
}

/** Result of batch normalisation in training mode. */
export interface BatchNormTrainingResult {
  /** Normalised output, shape of the input. */
  y: tf.Tensor4D;
  /** Batch mean per channel `[channels]`. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel `[channels]` (divides by N·H·W). */
  variance: tf.Tensor1D;
}

/**
 * Convolves `x` `[batch, height, width, inChannels]` with `filter`
 * `[kernel, kernel, inChannels, outChannels]`. A stride above 1 combined with
 * a dilation above 1 is computed exactly (see `stridedDilatedConvolution`).
 */
export function conv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: ConvolutionOpOptions,
): tf.Tensor4D {
  _checkConvolutionOptions("conv2d", options);
  ensureEngineInstalled();

  const { stride, padding, dilation } = options;
  if (stride > 1 && dilation > 1) {
    return stridedDilatedConvolution(
      x,
      filter.shape[0],
      options,
      (input, d) => tf.conv2d(input, filter, 1, 0, "NHWC", d),
    );
  }
  return tf.conv2d(x, filter, stride, padding, "NHWC", dilation);
}

/**
 * Convolves each channel of `x` `[batch, height, width, channels]` with its
 * own kernel, `filter` `[kernel, kernel, channels, 1]`.
 */
export function depthwiseConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: ConvolutionOpOptions,
): tf.Tensor4D {
  _checkConvolutionOptions("depthwiseConv2d", options);
  ensureEngineInstalled();

  const { stride, padding, dilation } = options;
  if (stride > 1 && dilation > 1) {
    return stridedDilatedConvolution(
      x,
      filter.shape[0],
      options,
      (input, d) => tf.depthwiseConv2d(input, filter, 1, 0, "NHWC", d),
    );
  }
  return tf.depthwiseConv2d(x, filter, stride, padding, "NHWC", dilation);
}

/** Pads height and width of `x` with `padding` zeros on every side. */
export function pad2d(x: tf.Tensor4D, padding: number): tf.Tensor4D {
  ensureEngineInstalled();
  if (x.rank !== 4) {
    // tfjs-backend-webgpu 4.22.0 under Deno pads rank ≥ 5 tensors wrongly, so
    // the engine pads only NHWC tensors.
    throw new RangeError(`Cannot pad a rank-${x.rank} tensor with pad2d: expected rank 4 (NHWC).`);
  }
  if (padding === 0) return x;
  return tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]]);
}

/** Max pooling; padded positions never win (PyTorch pads with -∞). */
export function maxPool(x: tf.Tensor4D, options: PoolOptions): tf.Tensor4D {
  ensureEngineInstalled();
  return tf.maxPool(x, options.kernel, options.stride, options.padding);
}

/**
 * Average pooling that divides each window by the number of real (unpadded)
 * pixels in it, as PyTorch's `count_include_pad=False`.
 *
 * Computed as a depthwise convolution with a constant 1/k² kernel over the
 * zero-padded input, rescaled per window by k² / (real pixels). This is
 * exact, and its gradient runs on the fast convolution kernels instead of
 * AvgPoolGrad plus the slice that undoes a pad (about 40 ms per DARTS mixed
 * operation on wasm).
 */
export function avgPool(x: tf.Tensor4D, options: AvgPoolOptions): tf.Tensor4D {
  ensureEngineInstalled();

  const { kernel, stride, padding } = options;
  const channels = x.shape[3];
  return tf.tidy(() => {
    const averaging = tf.fill([kernel, kernel, channels, 1], 1 / (kernel * kernel)) as tf.Tensor4D;
    const pooled = depthwiseConv2d(x, averaging, { stride, padding, dilation: 1 });
    if (padding === 0) return pooled;

    const [, outHeight, outWidth] = pooled.shape;
    const scale = _paddingScale(x.shape[1], x.shape[2], outHeight, outWidth, options);
    return tf.mul(pooled, scale);
  });
}

/**
 * Batch normalisation with batch statistics over batch, height and width;
 * `gamma` and `beta` `[channels]` are optional (affine-free BN). `mean` and
 * `variance` carry no gradient: they are meant for running estimates.
 *
 * The gradient is the closed form (Ioffe and Szegedy 2015, section 3), with
 * N = batch·height·width, x̂ = (x − mean)·s and s = 1/√(variance + eps):
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·s·(dy − dβ/N − x̂·dγ/N). It needs two
 * channel sums and a few elementwise passes, against about twenty kernels
 * for tfjs's automatic gradient of the same formula.
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D | undefined,
  beta: tf.Tensor1D | undefined,
  eps: number,
): BatchNormTrainingResult {
  ensureEngineInstalled();
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const affine = gamma !== undefined || beta !== undefined;
  const channels = x.shape[3];
  const count = x.size / channels;

  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const scale = affine ? args[1] as tf.Tensor1D : undefined;
    const shift = affine ? args[2] as tf.Tensor1D : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;

    const batchMean = tf.mean(input, [0, 1, 2]) as tf.Tensor1D;
    const centered = tf.sub(input, batchMean);
    const batchVariance = tf.mean(tf.square(centered), [0, 1, 2]) as tf.Tensor1D;
    const inverseStd = tf.rsqrt(tf.add(batchVariance, eps));
    const factor = scale === undefined ? inverseStd : tf.mul(inverseStd, scale);
    let y = tf.mul(centered, factor);
    if (shift !== undefined) y = tf.add(y, shift);

    // Kept past customGrad's tidy; the caller receives clones and these are freed.
    mean = tf.keep(batchMean);
    variance = tf.keep(batchVariance);
    // Without γ and β the output is x̂ itself: saving it instead of the
    // centered input keeps one tensor alive, shared with whatever saves y.
    save([affine ? centered : y, inverseStd, factor]);

    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedInverseStd, savedFactor] = saved;
        const dBeta = tf.sum(dy, [0, 1, 2]);
        const dyInput = tf.sum(tf.mul(dy, savedInput), [0, 1, 2]);

        // dx = factor·(dy − dβ/N) − centered·factor·s²·Σ(dy·centered)/N, and
        // with x̂ = centered·s saved: − x̂·factor·Σ(dy·x̂)/N.
        const meanTerm = tf.mul(savedFactor, tf.div(dBeta, count));
        const slope = affine
          ? tf.mul(savedFactor, tf.mul(tf.square(savedInverseStd), tf.div(dyInput, count)))
          : tf.mul(savedFactor, tf.div(dyInput, count));
        const dx = tf.sub(tf.sub(tf.mul(dy, savedFactor), meanTerm), tf.mul(savedInput, slope));
        if (!affine) return [dx];

        const dGamma = tf.mul(dyInput, savedInverseStd);
        return [dx, dGamma, dBeta];
      },
    };
  });

  const inputs: tf.Tensor[] = [x];
  if (affine) {
    inputs.push(gamma ?? tf.ones([channels]), beta ?? tf.zeros([channels]));
  }
  const y = normalize(...inputs) as tf.Tensor4D;

  const result = { y, mean: tf.clone(mean!), variance: tf.clone(variance!) };
  tf.dispose([mean!, variance!]);
  return result;
}

/** Batch normalisation with stored statistics `[channels]`. */
export function batchNormInference(
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  gamma: tf.Tensor1D | undefined,
  beta: tf.Tensor1D | undefined,
  eps: number,
): tf.Tensor4D {
  ensureEngineInstalled();
  return tf.tidy(() => {
    // One scale and one shift per channel: y = x·(γ·s) + (β − mean·γ·s).
    let factor: tf.Tensor = tf.rsqrt(tf.add(variance, eps));
    if (gamma !== undefined) factor = tf.mul(factor, gamma);
    let shift: tf.Tensor = tf.neg(tf.mul(mean, factor));
    if (beta !== undefined) shift = tf.add(shift, beta);
    return tf.add(tf.mul(x, factor), shift) as tf.Tensor4D;
  });
}

/**
 * Convolution with stride s > 1 and dilation d > 1, which tfjs rejects.
 * When d is a multiple of s, only every s-th padded row and column is ever
 * read, so the result equals a stride-1 convolution with dilation d / s on
 * that subsampled input. Otherwise the stride-1 output is subsampled, which
 * is exact but costs s² times the work. `convolve` runs the unpadded
 * stride-1 convolution with the dilation it receives; `kernel` is the
 * filter's height and width.
 */
export function stridedDilatedConvolution(
  x: tf.Tensor4D,
  kernel: number,
  options: ConvolutionOpOptions,
  convolve: (input: tf.Tensor4D, dilation: number) => tf.Tensor4D,
): tf.Tensor4D {
  const { stride, padding, dilation } = options;
  const [, height, width] = x.shape;
  const outHeight = Math.floor((height + 2 * padding - (kernel - 1) * dilation - 1) / stride) + 1;
  const outWidth = Math.floor((width + 2 * padding - (kernel - 1) * dilation - 1) / stride) + 1;

  return tf.tidy(() => {
    if (dilation % stride === 0) {
      const reduced = dilation / stride;
      const rows = outHeight + (kernel - 1) * reduced;
      const columns = outWidth + (kernel - 1) * reduced;
      const sampled = _subsample(x, padding, stride, rows, columns);
      return convolve(sampled, reduced);
    }

    const full = convolve(pad2d(x, padding), dilation);
    return _subsample(full, 0, stride, outHeight, outWidth);
  });
}

/**
 * Returns rows 0, s, 2s, … and the same columns of `x` zero-padded by
 * `padding`: `[batch, rows, columns, channels]`. Uses pad, slice and reshape
 * only, because tf.stridedSlice has no gradient; every pad stays rank 4.
 */
function _subsample(
  x: tf.Tensor4D,
  padding: number,
  stride: number,
  rows: number,
  columns: number,
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;

  // Pad so that the padded input spans exactly rows·s by columns·s pixels:
  // extra zero rows at the bottom and right are never sampled.
  const bottom = rows * stride - height - padding;
  const right = columns * stride - width - padding;
  let padded: tf.Tensor4D = x;
  if (padding > 0 || bottom > 0 || right > 0) {
    padded = tf.pad(x, [[0, 0], [padding, Math.max(bottom, 0)], [padding, Math.max(right, 0)], [
      0,
      0,
    ]]);
  }
  padded = tf.slice(padded, [0, 0, 0, 0], [batch, rows * stride, columns * stride, channels]);

  // Rows: [batch, rows, s, columns·s·channels], keep phase 0.
  const byRow = tf.reshape(padded, [batch, rows, stride, columns * stride * channels]);
  const rowSampled = tf.slice(byRow, [0, 0, 0, 0], [batch, rows, 1, columns * stride * channels]);

  // Columns: [batch·rows, columns, s, channels], keep phase 0.
  const byColumn = tf.reshape(rowSampled, [batch * rows, columns, stride, channels]);
  const sampled = tf.slice(byColumn, [0, 0, 0, 0], [batch * rows, columns, 1, channels]);
  return tf.reshape(sampled, [batch, rows, columns, channels]);
}

/**
 * Per-window factor kernel² / (real pixels in the window) `[1, outHeight,
 * outWidth, 1]`, which turns an average over the zero-padded input into an
 * average over real pixels only.
 */
function _paddingScale(
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  options: PoolOptions,
): tf.Tensor4D {
  const { kernel, stride, padding } = options;
  const realRows = _realCounts(height, outHeight, kernel, stride, padding);
  const realColumns = _realCounts(width, outWidth, kernel, stride, padding);

  const values = new Float32Array(outHeight * outWidth);
  for (let i = 0; i < outHeight; i++) {
    for (let j = 0; j < outWidth; j++) {
      values[i * outWidth + j] = (kernel * kernel) / (realRows[i] * realColumns[j]);
    }
  }
  return tf.tensor4d(values, [1, outHeight, outWidth, 1]);
}

function _realCounts(
  size: number,
  outSize: number,
  kernel: number,
  stride: number,
  padding: number,
): number[] {
  const counts: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const start = i * stride - padding;
    const first = Math.max(start, 0);
    const last = Math.min(start + kernel, size);
    counts.push(last - first);
  }
  return counts;
}

function _checkConvolutionOptions(op: string, options: ConvolutionOpOptions): void {
  const { stride, padding, dilation } = options;
  const valid = Number.isInteger(stride) && stride >= 1 && Number.isInteger(padding) &&
    padding >= 0 && Number.isInteger(dilation) && dilation >= 1;
  if (!valid) {
    throw new RangeError(
      `Cannot run ${op} with stride ${stride}, padding ${padding}, dilation ${dilation}: ` +
        "stride and dilation must be integers ≥ 1 and padding an integer ≥ 0.",
    );
  }
}
