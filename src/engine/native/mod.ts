/**
 * The engine's WebAssembly kernels (`kernels.c`) for tfjs's wasm backend:
 * the loader bound to the backend's heap, and the tfjs kernels built on it.
 * `installEngine` registers the kernels; these exports serve tests and tools.
 *
 * @module
 */

export {
  LRT_DEPTHWISE_KERNELS,
  type LrtDepthwiseAttrs,
  nativeDepthwiseSupports,
} from "./depthwise_kernels.ts";
export { LRT_MIXTURE_KERNELS, type LrtMixtureAttrs } from "./mixture_kernels.ts";
export { checkOperands, type DepthwiseGeometry, NativeKernels, nativeKernels } from "./module.ts";
export { LRT_POINTWISE_KERNELS, nativePointwiseSupports } from "./pointwise_kernels.ts";
