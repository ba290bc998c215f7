/**
 * Replacements for slow kernels of tfjs-backend-wasm 4.22.0, written as
 * JavaScript loops over views of the wasm heap. Measured on one DARTS mixed
 * operation (32 × 32 × 16, batch 32), they save roughly a third of a
 * training step:
 * - Identity copies its input, and tfjs runs it on every tensor a gradient
 *   saves. Sharing the data, as the cpu backend does, is safe because tfjs
 *   kernels never write into an existing tensor. The same holds for a Cast
 *   that keeps the type.
 * - Sum and Mean transpose the reduced axes to the end before reducing;
 *   batch norm and every broadcast in a gradient reduce over the leading
 *   axes (batch, height, width), which a strided loop handles in one pass.
 * - DepthwiseConv2dNativeBackpropFilter as a depthwise convolution with the
 *   output gradient as a 32 × 32 filter runs XNNPACK far outside its fast
 *   kernel sizes; a direct loop is 1.3-2× faster.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.ts";

// Up to this many outputs, a strided pass per output stays in cache. Batch
// norm reduces to one value per channel, 16 to a few hundred.
const _COLUMN_WISE_LIMIT = 256;

/** Identity that shares the input's data instead of copying it. */
export const wasmIdentityKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  (backend as unknown as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/**
 * Returns a Cast kernel that shares the data when the type does not change
 * and hands real conversions to `fallback`. tfjs's gradients of Square,
 * Sqrt and ReLU cast float32 tensors to float32, and the wasm backend copies
 * them each time.
 */
export function sameTypeCast(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    if (x.dtype !== dtype) return fallback(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };
}

/**
 * Returns a Sum (or Mean) kernel that reduces float32 leading axes with a
 * loop and hands every other case to `fallback`, the backend's own kernel.
 */
export function leadingAxesReduction(fallback: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== "float32" || !leading) return fallback(args);

    const wasm = backend as unknown as WasmBackend;
    const outer = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((p, q) => p * q, 1);
    const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;

    // Allocate first: allocation may grow the wasm memory and detach earlier views.
    const output = wasm.makeOutput(outShape, "float32");
    const values = wasm.typedArrayFromHeap(x) as Float32Array;
    const result = wasm.typedArrayFromHeap(output) as Float32Array;

    // float64 sums: a float32 running sum over 32768 terms loses about 3 digits.
    const scale = mean ? 1 / outer : 1;
    if (inner <= _COLUMN_WISE_LIMIT) {
      // One strided pass per output keeps the running sum in a register.
      for (let j = 0; j < inner; j++) {
        let total = 0;
        for (let i = 0, offset = j; i < outer; i++, offset += inner) total += values[offset];
        result[j] = total * scale;
      }
    } else {
      const totals = new Float64Array(inner);
      for (let i = 0, offset = 0; i < outer; i++, offset += inner) {
        for (let j = 0; j < inner; j++) totals[j] += values[offset + j];
      }
      for (let j = 0; j < inner; j++) result[j] = totals[j] * scale;
    }
    return output;
  };
}

/**
 * Filter gradient of a depthwise convolution with channel multiplier 1:
 * dW[a, b, c] = Σ over batch and output pixels (i, j) of
 * x[n, i·s + a·d − top, j·s + b·d − left, c] · dy[n, i, j, c].
 */
export const wasmDepthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dilations, dimRoundingMode, filterShape } =
    attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  if (filterShape[3] !== 1) {
    throw new Error(
      `Cannot run DepthwiseConv2dNativeBackpropFilter with channel multiplier ${filterShape[3]}: ` +
        "the engine supports multiplier 1 only (filter [k, k, channels, 1]).",
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );

  const wasm = backend as unknown as WasmBackend;
  const output = wasm.makeOutput(filterShape, "float32");
  const input = wasm.typedArrayFromHeap(x) as Float32Array;
  const gradient = wasm.typedArrayFromHeap(dy) as Float32Array;
  const result = wasm.typedArrayFromHeap(output) as Float32Array;

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const totals = new Float64Array(filterHeight * filterWidth * channels);

  // Output columns [first, last) whose tap column b lands inside the input.
  const shifts: number[] = [];
  const firstColumns: number[] = [];
  const lastColumns: number[] = [];
  for (let b = 0; b < filterWidth; b++) {
    const shift = b * dilationWidth - left;
    shifts.push(shift);
    firstColumns.push(Math.max(0, Math.ceil(-shift / strideWidth)));
    lastColumns.push(Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
  }
  const xStep = strideWidth * channels;
  const blocked = channels - (channels % 4);

  // One output row at a time, all taps: the row of dy and the k rows of x it
  // meets stay in the first-level cache.
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      const dyRow = (n * outHeight + i) * outWidth * channels;
      for (let a = 0; a < filterHeight; a++) {
        const h = i * strideHeight + a * dilationHeight - top;
        if (h < 0 || h >= inHeight) continue;
        const xRow = (n * inHeight + h) * inWidth * channels;

        for (let b = 0; b < filterWidth; b++) {
          const first = firstColumns[b];
          const count = lastColumns[b] - first;
          if (count <= 0) continue;
          const base = (a * filterWidth + b) * channels;
          const xStart = xRow + (first * strideWidth + shifts[b]) * channels;
          const dyStart = dyRow + first * channels;

          // Four channels per pass with four independent float64 sums.
          for (let c = 0; c < blocked; c += 4) {
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            let xi = xStart + c;
            let di = dyStart + c;
            for (let j = 0; j < count; j++) {
              s0 += input[xi] * gradient[di];
              s1 += input[xi + 1] * gradient[di + 1];
              s2 += input[xi + 2] * gradient[di + 2];
              s3 += input[xi + 3] * gradient[di + 3];
              xi += xStep;
              di += channels;
            }
            totals[base + c] += s0;
            totals[base + c + 1] += s1;
            totals[base + c + 2] += s2;
            totals[base + c + 3] += s3;
          }
          for (let c = blocked; c < channels; c++) {
            let sum = 0;
            let xi = xStart + c;
            let di = dyStart + c;
            for (let j = 0; j < count; j++) {
              sum += input[xi] * gradient[di];
              xi += xStep;
              di += channels;
            }
            totals[base + c] += sum;
          }
        }
      }
    }
  }

  result.set(totals);
  return output;
};
