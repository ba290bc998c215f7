/**
 * Loads the engine's WebAssembly kernels (`kernels.c`, embedded in
 * `kernels_wasm.ts`) into the heap of tfjs's wasm backend: the module
 * imports that backend's memory, so its loops read and write tensors where
 * tfjs keeps them, without copies. One instance per heap; tables and
 * scratch space come from the backend's own allocator.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { zigguratTables } from "../random_normal.ts";
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";
import type { WasmBackend } from "../wasm_backend.ts";

/** Integers in the random generator's scratch buffer (CAPACITY in kernels.c). */
const _SCRATCH_INTEGERS = 128;

/**
 * Shape of a depthwise convolution as kernels.c's Geometry reads it: batch,
 * input height, width and channels, output height and width, kernel height
 * and width, stride, dilation, top and left padding.
 */
export type DepthwiseGeometry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** The kernels, bound to one wasm backend's heap. */
export class NativeKernels {
  private readonly exports: Record<string, (...args: number[]) => void>;
  private readonly backend: WasmBackend;
  private readonly memory: WebAssembly.Memory;
  private readonly tables: number;
  private readonly scratch: number;
  private workspaceAddress = 0;
  private workspaceBytes = 0;

  constructor(backend: WasmBackend, module: WebAssembly.Module) {
    this.backend = backend;
    const memory = backend.wasm.asm.memory;
    this.memory = memory;
    const instance = new WebAssembly.Instance(module, {
      env: { memory, log: Math.log, exp: Math.exp },
    });
    this.exports = instance.exports as unknown as Record<string, (...args: number[]) => void>;

    // Layout of kernels.c's Tables: w and f as 128 doubles each, then k as 128 uint32.
    const { k, w, f } = zigguratTables();
    this.tables = this.allocate(256 * 8 + 128 * 4);
    new Float64Array(memory.buffer, this.tables, 128).set(w);
    new Float64Array(memory.buffer, this.tables + 128 * 8, 128).set(f);
    new Uint32Array(memory.buffer, this.tables + 256 * 8, 128).set(k);
    this.scratch = this.allocate(_SCRATCH_INTEGERS * 4);
  }

  /** Returns the heap address of a tensor's data. */
  address(info: tf.TensorInfo): number {
    const data = this.backend.dataIdMap.get(info.dataId);
    if (data === undefined) {
      throw new Error(
        `Cannot find the data of a tensor of shape [${info.shape}] on the wasm backend. ` +
          "It was disposed or lives on another backend.",
      );
    }
    return data.memoryOffset >>> 0;
  }

  /**
   * Runs the LRT sampling step in float32: draws e ~ N(0, 1) from `seed` and
   * writes y = mean + e·√(variance + eps) and ratio = e / √(variance + eps).
   */
  lrtSample(
    mean: tf.TensorInfo,
    variance: tf.TensorInfo,
    y: tf.TensorInfo,
    ratio: tf.TensorInfo,
    seed: number,
    eps: number,
  ): void {
    const size = tf.util.sizeFromShape(mean.shape);
    this.call("lrt_sample", mean, variance, y, ratio, size, seed >>> 0, eps, ...this.random());
  }

  /** Fills `output` with N(0, 1) draws from `seed`, rounded to float32. */
  normalFill(output: tf.TensorInfo, seed: number): void {
    const size = tf.util.sizeFromShape(output.shape);
    this.call("normal_fill", output, size, seed >>> 0, ...this.random());
  }

  /** Computes the filter gradient of a depthwise convolution into `output` ([k, k, C, 1]). */
  depthwiseFilterGrad(
    geometry: DepthwiseGeometry,
    x: tf.TensorInfo,
    dy: tf.TensorInfo,
    output: tf.TensorInfo,
  ): void {
    const [geometryAddress, totals] = this.depthwiseWorkspace(geometry);
    this.call("depthwise_filter_grad", geometryAddress, x, dy, output, totals);
  }

  /**
   * Computes the filter gradients of an LRT depthwise convolution, dθ = Σ x·dy
   * and d log σ² = ½σ²·Σ x²·dy·ratio, into `thetaGrad` and `logVarianceGrad`.
   */
  lrtDepthwiseFilterGrad(
    geometry: DepthwiseGeometry,
    x: tf.TensorInfo,
    dy: tf.TensorInfo,
    ratio: tf.TensorInfo,
    variance: tf.TensorInfo,
    thetaGrad: tf.TensorInfo,
    logVarianceGrad: tf.TensorInfo,
  ): void {
    const [geometryAddress, totals] = this.depthwiseWorkspace(geometry);
    this.call(
      "lrt_depthwise_filter_grad",
      geometryAddress,
      x,
      dy,
      ratio,
      variance,
      thetaGrad,
      logVarianceGrad,
      totals,
    );
  }

  /** Computes the input gradient of a depthwise convolution with filter `theta` into `dx`. */
  depthwiseInputGrad(
    geometry: DepthwiseGeometry,
    dy: tf.TensorInfo,
    theta: tf.TensorInfo,
    dx: tf.TensorInfo,
  ): void {
    const [geometryAddress] = this.depthwiseWorkspace(geometry);
    this.call("depthwise_input_grad", geometryAddress, dy, theta, dx);
  }

  /** Computes dx = convᵀ(dy, θ) + x·convᵀ(dy·ratio, σ²) for an LRT depthwise convolution. */
  lrtDepthwiseInputGrad(
    geometry: DepthwiseGeometry,
    dy: tf.TensorInfo,
    ratio: tf.TensorInfo,
    x: tf.TensorInfo,
    theta: tf.TensorInfo,
    variance: tf.TensorInfo,
    dx: tf.TensorInfo,
  ): void {
    const [geometryAddress] = this.depthwiseWorkspace(geometry);
    this.call("lrt_depthwise_input_grad", geometryAddress, dy, ratio, x, theta, variance, dx);
  }

  /**
   * Computes the filter gradients of a 1×1 stride-1 LRT convolution over all
   * pixels: dθ = Σ x·dy and d log σ² = ½σ²·Σ x²·dy·ratio.
   */
  lrtPointwiseFilterGrad(
    x: tf.TensorInfo,
    dy: tf.TensorInfo,
    ratio: tf.TensorInfo,
    variance: tf.TensorInfo,
    thetaGrad: tf.TensorInfo,
    logVarianceGrad: tf.TensorInfo,
  ): void {
    const sizes = _pointwiseSizes(x, dy);
    const scratch = this.workspace(2 * sizes[1] * sizes[2] * (4 + 8));
    this.call(
      "lrt_pointwise_filter_grad",
      x,
      dy,
      ratio,
      variance,
      thetaGrad,
      logVarianceGrad,
      ...sizes,
      scratch,
    );
  }

  /** Computes dx = dy·θᵀ + x·((dy·ratio)·σ²ᵀ) for a 1×1 stride-1 LRT convolution. */
  lrtPointwiseInputGrad(
    dy: tf.TensorInfo,
    ratio: tf.TensorInfo,
    x: tf.TensorInfo,
    theta: tf.TensorInfo,
    variance: tf.TensorInfo,
    dx: tf.TensorInfo,
  ): void {
    const sizes = _pointwiseSizes(x, dy);
    const scratch = this.workspace(2 * sizes[1] * sizes[2] * 4);
    this.call("lrt_pointwise_input_grad", dy, ratio, x, theta, variance, dx, ...sizes, scratch);
  }

  /**
   * Runs the forward pass of an edge's LRT mixture: mean = Σ θ_k·o_k and
   * variance = Σ σ²_k·o_k², then the sampling step into y and ratio.
   */
  lrtMixtureForward(
    outputs: tf.TensorInfo[],
    thetas: number[],
    sigma2s: number[],
    y: tf.TensorInfo,
    ratio: tf.TensorInfo,
    seed: number,
    eps: number,
  ): void {
    const count = outputs.length;
    const size = tf.util.sizeFromShape(y.shape);

    // Workspace: K output addresses, K θ, K σ², then the variance buffer.
    const header = _align16(3 * count * 4);
    const address = this.workspace(header + size * 4);
    new Int32Array(this.memory.buffer, address, count).set(outputs.map((o) => this.address(o)));
    new Float32Array(this.memory.buffer, address + 4 * count, count).set(thetas);
    new Float32Array(this.memory.buffer, address + 8 * count, count).set(sigma2s);

    this.call(
      "lrt_mixture_forward",
      address,
      address + 4 * count,
      address + 8 * count,
      count,
      size,
      y,
      ratio,
      address + header,
      seed >>> 0,
      eps,
      ...this.random(),
    );
  }

  /**
   * Runs the backward pass of an edge's LRT mixture: writes do_k into `grads`
   * and returns [dθ_1 … dθ_K, dσ²_1 … dσ²_K].
   */
  lrtMixtureBackward(
    dy: tf.TensorInfo,
    ratio: tf.TensorInfo,
    outputs: tf.TensorInfo[],
    grads: tf.TensorInfo[],
    thetas: number[],
    sigma2s: number[],
  ): Float32Array {
    const count = outputs.length;

    // Workspace: K output and K gradient addresses, K θ, K σ², 2K sums, then 2K float64 totals.
    const header = _align16(6 * count * 4);
    const address = this.workspace(header + 2 * count * 8);
    const buffer = this.memory.buffer;
    new Int32Array(buffer, address, count).set(outputs.map((o) => this.address(o)));
    new Int32Array(buffer, address + 4 * count, count).set(grads.map((g) => this.address(g)));
    new Float32Array(buffer, address + 8 * count, count).set(thetas);
    new Float32Array(buffer, address + 12 * count, count).set(sigma2s);

    this.call(
      "lrt_mixture_backward",
      dy,
      ratio,
      address,
      address + 4 * count,
      address + 8 * count,
      address + 12 * count,
      count,
      tf.util.sizeFromShape(dy.shape),
      address + 16 * count,
      address + header,
    );
    return new Float32Array(this.memory.buffer, address + 16 * count, 2 * count).slice();
  }

  /** Writes `value` into a scalar tensor in the heap. */
  setScalar(info: tf.TensorInfo, value: number): void {
    new Float32Array(this.memory.buffer, this.address(info), 1)[0] = value;
  }

  /** Reads the float32 value of a scalar tensor in the heap. */
  scalar(info: tf.TensorInfo): number {
    return new Float32Array(this.memory.buffer, this.address(info), 1)[0];
  }

  /** Calls an export of kernels.c, passing each tensor as its heap address. */
  private call(name: string, ...args: Array<number | tf.TensorInfo>): void {
    this.exports[name](...args.map((arg) => typeof arg === "number" ? arg : this.address(arg)));
  }

  /** Returns the addresses of the ziggurat tables and the integer buffer, in kernels.c's order. */
  private random(): [number, number] {
    return [this.tables, this.scratch];
  }

  /**
   * Writes `geometry` into the workspace and returns its address and that of
   * the float64 totals after it (2·k·k·C doubles).
   */
  private depthwiseWorkspace(geometry: DepthwiseGeometry): [number, number] {
    const [, , , channels, , , kernelHeight, kernelWidth] = geometry;
    const totalsOffset = 64;
    const address = this.workspace(totalsOffset + 2 * kernelHeight * kernelWidth * channels * 8);
    new Int32Array(this.memory.buffer, address, 12).set(geometry);
    return [address, address + totalsOffset];
  }

  /**
   * Allocates `bytes` from the backend's heap. emscripten returns addresses
   * as signed 32-bit integers, negative above 2 GiB, so they are read as
   * unsigned before JavaScript uses them as byte offsets.
   */
  private allocate(bytes: number): number {
    const address = this.backend.wasm._malloc(bytes) >>> 0;
    if (address === 0) {
      throw new Error(
        `Cannot allocate ${bytes} bytes of scratch memory in the wasm heap: it is full. ` +
          "Use a smaller batch or network.",
      );
    }
    return address;
  }

  /** Returns a scratch area of at least `bytes` bytes (8-aligned), kept between calls. */
  private workspace(bytes: number): number {
    if (bytes > this.workspaceBytes) {
      // Allocate before freeing: when the heap is full the old block stays
      // valid and owned, instead of being handed to the next tensor.
      const size = Math.max(bytes, 2 * this.workspaceBytes);
      const address = this.allocate(size);
      if (this.workspaceAddress !== 0) this.backend.wasm._free(this.workspaceAddress);
      this.workspaceAddress = address;
      this.workspaceBytes = size;
    }
    return this.workspaceAddress;
  }
}

function _align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Pixels, input channels and output channels of a 1×1 convolution from x to dy. */
function _pointwiseSizes(x: tf.TensorInfo, dy: tf.TensorInfo): [number, number, number] {
  const [batch, height, width, inChannels] = x.shape;
  return [batch * height * width, inChannels, dy.shape[3]];
}

/** A kernel operand: its name in messages, the tensor and its expected shape. */
export type Operand = [name: string, info: tf.TensorInfo, shape: readonly number[]];

/**
 * Throws unless every operand is a float32 tensor of its expected shape. The
 * WebAssembly kernels index memory by the shapes they are given, so a
 * mismatch would read or write outside the tensors.
 */
export function checkOperands(kernel: string, operands: Operand[]): void {
  for (const [name, info, shape] of operands) {
    if (info.dtype !== "float32" || !tf.util.arraysEqual(info.shape, shape as number[])) {
      throw new Error(
        `Cannot run ${kernel}: ${name} is ${info.dtype} [${info.shape}], expected float32 ` +
          `[${shape}]. The caller must check the shapes before choosing this kernel.`,
      );
    }
  }
}

let _module: WebAssembly.Module | null = null;
const _instances = new WeakMap<WebAssembly.Memory, NativeKernels>();

/** Returns the kernels bound to the heap of `backend`, a tfjs wasm backend. */
export function nativeKernels(backend: unknown): NativeKernels {
  const wasm = backend as WasmBackend;
  const memory = wasm.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error(
      "Cannot load the engine's WebAssembly kernels: the backend has no wasm memory. " +
        "They run on tfjs's wasm backend only.",
    );
  }

  let kernels = _instances.get(memory);
  if (kernels === undefined) {
    _module ??= new WebAssembly.Module(Uint8Array.from(atob(KERNELS_WASM_BASE64), _charCode));
    kernels = new NativeKernels(wasm, _module);
    _instances.set(memory, kernels);
  }
  return kernels;
}

function _charCode(character: string): number {
  return character.charCodeAt(0);
}
