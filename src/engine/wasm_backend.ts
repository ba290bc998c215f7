/**
 * The members of tfjs-backend-wasm 4.22.0's backend object that the
 * engine's kernels use. tfjs does not export their types, so the kernels
 * cast the backend they receive to this interface.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** The wasm backend as the engine's kernels see it. */
export interface WasmBackend {
  /** Allocates an output tensor in the heap; may grow the heap and detach older views. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Returns a view of a tensor's data in the heap (no copy). */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** Adds a reference to a tensor's data, so that another tensor can share it. */
  incRef(dataId: tf.DataId): void;
  /** The emscripten module: the heap's memory and its allocator. */
  wasm: {
    asm: { memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(address: number): void;
  };
  /** Bookkeeping per tensor, with the byte offset of its data in the heap. */
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
}
