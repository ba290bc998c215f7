/**
 * Slice, SplitV and Unpack for tfjs-backend-wasm 4.22.0 without the copy of
 * the whole input that its Slice makes on every call. That Slice reads the
 * input through `readSync`, which copies it out of the wasm heap, and SplitV
 * and Unpack call it once per piece. Splitting the gradient of the
 * flattened KL vector of a VINNAS quick supergraph (72 180 values) into its
 * 580 weight tensors so copied 167 MB and took 95 ms, twice per step. These
 * kernels read a view of the heap instead, and copy each contiguous run of
 * the selected region once.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_backend.ts";

type _HeapArray = Float32Array | Int32Array | Uint8Array;

// Runs shorter than this are copied element by element: a `set` call costs
// more than a short loop (batch-norm-sized rows of 4-16 channels).
const _SHORT_RUN = 32;

/**
 * Returns a Slice kernel that copies from a view of the heap, and hands
 * strings to `fallback`, the backend's own kernel.
 */
export function wasmSliceKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === "string") return fallback(args);

    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return _slice(args.backend as unknown as WasmBackend, x, start, extent);
  };
}

/** Returns a SplitV kernel built on the copy-free slice. */
export function wasmSplitVKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === "string") return fallback(args);

    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis);
    const wasm = args.backend as unknown as WasmBackend;

    const start = x.shape.map(() => 0);
    return sizes.map((length) => {
      const extent = [...x.shape];
      extent[splitAxis] = length;
      const piece = _slice(wasm, x, start, extent);
      start[splitAxis] += length;
      return piece;
    });
  };
}

/** Returns an Unpack kernel built on the copy-free slice. */
export function wasmUnpackKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (value.dtype === "string") return fallback(args);

    const rank = value.shape.length;
    const { axis } = args.attrs as unknown as tf.UnpackAttrs;
    const unpackAxis = axis < 0 ? axis + rank : axis;
    const wasm = args.backend as unknown as WasmBackend;
    const outShape = value.shape.filter((_, i) => i !== unpackAxis);

    const start = value.shape.map(() => 0);
    const extent = [...value.shape];
    extent[unpackAxis] = 1;
    const pieces: tf.TensorInfo[] = [];
    for (let i = 0; i < value.shape[unpackAxis]; i++) {
      start[unpackAxis] = i;
      const piece = _slice(wasm, value, start, extent);
      // A reshape of a wasm tensor only relabels it: the data stays shared.
      pieces.push({ dataId: piece.dataId, shape: outShape, dtype: piece.dtype });
    }
    return pieces;
  };
}

/** Copies the region `start` + `extent` of `x` into a new tensor. */
function _slice(
  wasm: WasmBackend,
  x: tf.TensorInfo,
  start: number[],
  extent: number[],
): tf.TensorInfo {
  // Allocate first: allocation may grow the wasm memory and detach earlier views.
  const output = wasm.makeOutput(extent, x.dtype);
  const source = wasm.typedArrayFromHeap(x);
  const target = wasm.typedArrayFromHeap(output);
  if (target.length === 0) return output;

  // Merge trailing axes that are taken whole: their elements are contiguous
  // in both tensors, so one run covers them.
  const shape = x.shape;
  let axis = shape.length - 1;
  let run = 1;
  while (axis >= 0 && start[axis] === 0 && extent[axis] === shape[axis]) {
    run *= shape[axis];
    axis -= 1;
  }
  if (axis < 0) {
    target.set(source.subarray(0, run));
    return output;
  }

  // The first partially taken axis contributes extent[axis] consecutive
  // elements of stride `run` to each contiguous run.
  const strides = tf.util.computeStrides(shape);
  const innerStride = run;
  run *= extent[axis];
  const base = start[axis] * innerStride;
  _copyRuns(source, target, strides, start, extent, axis, base, run);
  return output;
}

/**
 * Copies every run of length `run` selected by the axes before `lastAxis`,
 * in row-major order. `base` is the offset of the run within its row.
 */
function _copyRuns(
  source: _HeapArray,
  target: _HeapArray,
  strides: number[],
  start: number[],
  extent: number[],
  lastAxis: number,
  base: number,
  run: number,
): void {
  // Odometer over the outer axes 0 .. lastAxis − 1.
  const index = new Array<number>(lastAxis).fill(0);
  let sourceOffset = base;
  for (let a = 0; a < lastAxis; a++) sourceOffset += start[a] * strides[a];
  const runs = target.length / run;
  let targetOffset = 0;

  for (let r = 0; r < runs; r++) {
    if (run < _SHORT_RUN) {
      for (let i = 0; i < run; i++) target[targetOffset + i] = source[sourceOffset + i];
    } else {
      target.set(source.subarray(sourceOffset, sourceOffset + run), targetOffset);
    }
    targetOffset += run;

    // Advance the odometer from the innermost outer axis.
    for (let a = lastAxis - 1; a >= 0; a--) {
      index[a] += 1;
      sourceOffset += strides[a];
      if (index[a] < extent[a]) break;
      sourceOffset -= extent[a] * strides[a];
      index[a] = 0;
    }
  }
}
