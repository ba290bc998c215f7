/**
 * MaxPoolGrad for the wasm backend. The kernel shipped with
 * tfjs-backend-wasm 4.22.0 starts its running maximum at the smallest
 * positive float instead of −∞. So in every window whose values are all
 * ≤ 0 it sends the gradient to the window's first position instead of its
 * maximum. It also breaks ties towards the last maximum. This version
 * follows tfjs's cpu kernel: the gradient of each window goes to its first
 * maximum in row-major order (PyTorch does the same), and padded positions
 * never win.
 *
 * It runs as plain JavaScript on views of the wasm heap, about five
 * comparisons per output element (the search stops at the first maximum).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.ts";

/**
 * MaxPoolGrad: inputs `dy`, `input` and `output` (the forward result);
 * attrs `filterSize`, `strides`, `pad`.
 */
export const wasmMaxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input, output: pooled } = inputs as {
    dy: tf.TensorInfo;
    input: tf.TensorInfo;
    output: tf.TensorInfo;
  };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const wasm = backend as unknown as WasmBackend;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );

  // Allocate first: allocation may grow the wasm memory and detach earlier views.
  const output = wasm.makeOutput(input.shape, "float32");
  const x = wasm.typedArrayFromHeap(input);
  const y = wasm.typedArrayFromHeap(pooled);
  const gradient = wasm.typedArrayFromHeap(dy);
  const dx = wasm.typedArrayFromHeap(output);
  dx.fill(0);

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const rowStride = inWidth * channels;

  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < outHeight; i++) {
      const rowStart = i * strideHeight - top;
      const firstRow = Math.max(rowStart, 0);
      const lastRow = Math.min(rowStart + filterHeight, inHeight);

      for (let j = 0; j < outWidth; j++) {
        const columnStart = j * strideWidth - left;
        const firstColumn = Math.max(columnStart, 0);
        const lastColumn = Math.min(columnStart + filterWidth, inWidth);
        const yBase = ((b * outHeight + i) * outWidth + j) * channels;
        const windowStart = ((b * inHeight + firstRow) * inWidth + firstColumn) * channels;
        const rows = lastRow - firstRow;
        const columns = lastColumn - firstColumn;

        // The forward output is each window's maximum exactly, so the first
        // window position (row-major) equal to it is the first maximum, as in
        // tfjs's cpu kernel. The search per channel stops there: about half
        // the window on average.
        for (let c = 0; c < channels; c++) {
          const maximum = y[yBase + c];
          let rowBase = windowStart + c;
          search: for (let h = 0; h < rows; h++, rowBase += rowStride) {
            for (let w = 0, index = rowBase; w < columns; w++, index += channels) {
              if (x[index] === maximum) {
                dx[index] += gradient[yBase + c];
                break search;
              }
            }
          }
        }
      }
    }
  }
  return output;
};
