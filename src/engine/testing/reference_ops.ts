/**
 * Direct float64 implementations of the engine's operations and of their
 * gradients, written as plain loops from the definitions, for tests. NHWC
 * layout, flat row-major arrays.
 *
 * @module
 */

/** A flat NHWC array and its shape. */
export interface Array4 {
  values: Float64Array;
  shape: [number, number, number, number];
}

/** Options of a reference convolution. */
export interface ReferenceConvolution {
  stride: number;
  /** Symmetric padding, or `[top, bottom, left, right]`. */
  padding: number | [number, number, number, number];
  dilation: number;
  depthwise: boolean;
}

/** Output size of a convolution or pooling window along one axis (PyTorch's formula). */
export function outputSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation = 1,
): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Visits every (output, input, kernel) triple of a convolution; `visit`
 * gets flat indices into x, filter and y. Forward and both gradients are
 * sums over these triples.
 */
function _forEachTap(
  xShape: number[],
  filterShape: number[],
  options: ReferenceConvolution,
  visit: (xIndex: number, filterIndex: number, yIndex: number) => void,
): [number, number, number, number] {
  const [batch, height, width, channels] = xShape;
  const kernel = filterShape[0];
  const outChannels = options.depthwise ? channels : filterShape[3];
  const { stride, dilation } = options;
  const [top, bottom, left, right] = typeof options.padding === "number"
    ? [options.padding, options.padding, options.padding, options.padding]
    : options.padding;
  const span = dilation * (kernel - 1) + 1;
  const outHeight = Math.floor((height + top + bottom - span) / stride) + 1;
  const outWidth = Math.floor((width + left + right - span) / stride) + 1;

  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        for (let a = 0; a < kernel; a++) {
          const h = i * stride + a * dilation - top;
          if (h < 0 || h >= height) continue;
          for (let c = 0; c < kernel; c++) {
            const w = j * stride + c * dilation - left;
            if (w < 0 || w >= width) continue;
            const xBase = ((b * height + h) * width + w) * channels;
            const yBase = ((b * outHeight + i) * outWidth + j) * outChannels;
            if (options.depthwise) {
              for (let k = 0; k < channels; k++) {
                visit(xBase + k, (a * kernel + c) * channels + k, yBase + k);
              }
            } else {
              for (let k = 0; k < channels; k++) {
                for (let o = 0; o < outChannels; o++) {
                  visit(xBase + k, ((a * kernel + c) * channels + k) * outChannels + o, yBase + o);
                }
              }
            }
          }
        }
      }
    }
  }
  return [batch, outHeight, outWidth, outChannels];
}

/** Convolution (full or depthwise with multiplier 1) of x with filter. */
export function referenceConvolution(
  x: Array4,
  filter: Array4,
  options: ReferenceConvolution,
): Array4 {
  const shape = _forEachTap(x.shape, filter.shape, options, () => {});
  const y = new Float64Array(shape.reduce((p, q) => p * q, 1));
  _forEachTap(x.shape, filter.shape, options, (xi, fi, yi) => {
    y[yi] += x.values[xi] * filter.values[fi];
  });
  return { values: y, shape };
}

/** Gradients of Σ dy·conv(x, filter) with respect to x and filter. */
export function referenceConvolutionGradients(
  x: Array4,
  filter: Array4,
  dy: Array4,
  options: ReferenceConvolution,
): { dx: Array4; dFilter: Array4 } {
  const dx = new Float64Array(x.values.length);
  const dFilter = new Float64Array(filter.values.length);
  _forEachTap(x.shape, filter.shape, options, (xi, fi, yi) => {
    dx[xi] += dy.values[yi] * filter.values[fi];
    dFilter[fi] += dy.values[yi] * x.values[xi];
  });
  return { dx: { values: dx, shape: x.shape }, dFilter: { values: dFilter, shape: filter.shape } };
}

/**
 * Max or average pooling with PyTorch semantics: padded positions never win
 * a max and are not counted in an average (`count_include_pad=False`).
 */
export function referencePool(
  x: Array4,
  kind: "max" | "avg",
  kernel: number,
  stride: number,
  padding: number,
): Array4 {
  const [batch, height, width, channels] = x.shape;
  const outHeight = outputSize(height, kernel, stride, padding);
  const outWidth = outputSize(width, kernel, stride, padding);
  const y = new Float64Array(batch * outHeight * outWidth * channels);

  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        for (let k = 0; k < channels; k++) {
          let max = -Infinity;
          let sum = 0;
          let count = 0;
          for (let a = 0; a < kernel; a++) {
            const h = i * stride + a - padding;
            if (h < 0 || h >= height) continue;
            for (let c = 0; c < kernel; c++) {
              const w = j * stride + c - padding;
              if (w < 0 || w >= width) continue;
              const value = x.values[((b * height + h) * width + w) * channels + k];
              max = Math.max(max, value);
              sum += value;
              count += 1;
            }
          }
          y[((b * outHeight + i) * outWidth + j) * channels + k] = kind === "max"
            ? max
            : sum / count;
        }
      }
    }
  }
  return { values: y, shape: [batch, outHeight, outWidth, channels] };
}

/** Batch normalisation with batch statistics (biased variance), no affine parameters. */
export function referenceBatchNorm(x: Array4, eps: number): {
  y: Array4;
  mean: Float64Array;
  variance: Float64Array;
} {
  const channels = x.shape[3];
  const count = x.values.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  x.values.forEach((v, i) => mean[i % channels] += v / count);
  x.values.forEach((v, i) => variance[i % channels] += (v - mean[i % channels]) ** 2 / count);

  const y = x.values.map((v, i) =>
    (v - mean[i % channels]) / Math.sqrt(variance[i % channels] + eps)
  );
  return { y: { values: y, shape: x.shape }, mean, variance };
}

/**
 * Largest |a − b| divided by the largest |b|: the error of `a` relative to
 * the scale of the reference `b`, insensitive to entries of `b` near zero.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`Cannot compare arrays of lengths ${a.length} and ${b.length}.`);
  }

  let largest = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    largest = Math.max(largest, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return largest === 0 ? worst : worst / largest;
}
