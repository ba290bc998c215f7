/**
 * Installs the engine's gradients (once, globally) and its kernels (once
 * per backend). Every engine op calls {@link ensureEngineInstalled}, so
 * layers and direct tfjs calls alike use the engine's kernels after the
 * first op or after `initBackend`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
  ENGINE_KERNELS,
} from "./conv_backprop_kernels.ts";
import { conv2dGradient, depthwiseConv2dGradient, preferNativeBackprop } from "./conv_gradients.ts";
import { cpuLrtSampleKernel, LRT_SAMPLE_KERNEL, wasmLrtSampleKernel } from "./lrt_sample.ts";
import { wasmMaxPoolGradKernel } from "./max_pool_grad_kernel.ts";
import {
  LRT_DEPTHWISE_KERNELS,
  wasmLrtDepthwiseFilterGrad,
  wasmLrtDepthwiseInputGrad,
  wasmNativeDepthwiseFilterGrad,
  wasmNativeDepthwiseInputGrad,
} from "./native/depthwise_kernels.ts";
import {
  LRT_MIXTURE_KERNELS,
  wasmLrtMixture,
  wasmLrtMixtureGrad,
} from "./native/mixture_kernels.ts";
import {
  LRT_POINTWISE_KERNELS,
  wasmLrtPointwiseFilterGrad,
  wasmLrtPointwiseInputGrad,
} from "./native/pointwise_kernels.ts";
import { installLinearTapeGradients } from "./tape_gradients.ts";
import {
  leadingAxesReduction,
  sameTypeCast,
  wasmDepthwiseBackpropFilterKernel,
  wasmIdentityKernel,
} from "./wasm_kernels.ts";
import {
  cpuVariationalKlKernels,
  VARIATIONAL_KL_KERNELS,
  wasmVariationalKlKernels,
} from "./variational_kl.ts";
import { wasmSliceKernel, wasmSplitVKernel, wasmUnpackKernel } from "./wasm_slice.ts";

/** Record of the kernels {@link installEngine} set up for one backend, for provenance. */
export interface EngineInstallation {
  backend: string;
  /** Standard kernel names now served by the engine. */
  replacedKernels: string[];
  /** Whether native backprop kernels serve dilation-1 convolution gradients. */
  nativeBackprop: boolean;
}

/**
 * Per backend, whether its native dilation-1 backprop kernels stay in use.
 * wasm lacks three of the four and has a naive input gradient; cpu's filter
 * gradient takes seconds per DARTS layer; webgpu's are native shaders.
 */
// TODO: confirm the webgpu choice by timing on a hardware GPU; only the
// lavapipe software adapter was available.
const _KEEP_NATIVE: Record<string, boolean> = { cpu: false, wasm: false, webgpu: true };

let _gradientsInstalled = false;
const _installations = new Map<string, EngineInstallation>();

/** Installs the engine on the current backend if that has not happened yet. */
export function ensureEngineInstalled(): void {
  const backendName = tf.getBackend();
  if (!_installations.has(backendName)) installEngine(backendName);
}

/**
 * Registers the gradient overrides and the linear-time tape walk (first call
 * only) and the engine kernels for `backendName`. Safe to call again.
 */
export function installEngine(backendName: string): EngineInstallation {
  if (!_gradientsInstalled) {
    tf.registerGradient(conv2dGradient);
    tf.registerGradient(depthwiseConv2dGradient);
    installLinearTapeGradients();
    _gradientsInstalled = true;
  }

  const existing = _installations.get(backendName);
  if (existing !== undefined) return existing;

  const wasm = backendName === "wasm";
  // On wasm the WebAssembly kernels take channel counts divisible by 4 and
  // hand the rest to the JavaScript loop or the convolution-based kernel.
  const depthwiseFilter = wasm
    ? wasmNativeDepthwiseFilterGrad(wasmDepthwiseBackpropFilterKernel)
    : depthwiseBackpropFilterKernel;
  const depthwiseInput = wasm
    ? wasmNativeDepthwiseInputGrad(depthwiseBackpropInputKernel)
    : depthwiseBackpropInputKernel;
  const backprop: Array<[string, string, tf.KernelFunc]> = [
    ["Conv2DBackpropInput", ENGINE_KERNELS.conv2dBackpropInput, conv2dBackpropInputKernel],
    ["Conv2DBackpropFilter", ENGINE_KERNELS.conv2dBackpropFilter, conv2dBackpropFilterKernel],
    [
      "DepthwiseConv2dNativeBackpropInput",
      ENGINE_KERNELS.depthwiseBackpropInput,
      depthwiseInput,
    ],
    [
      "DepthwiseConv2dNativeBackpropFilter",
      ENGINE_KERNELS.depthwiseBackpropFilter,
      depthwiseFilter,
    ],
  ];

  // The engine names always exist: the gradients use them for dilation > 1.
  const nativeBackprop = _KEEP_NATIVE[backendName] ?? false;
  const replacedKernels: string[] = [];
  for (const [standardName, engineName, kernelFunc] of backprop) {
    _register(engineName, backendName, kernelFunc);
    if (!nativeBackprop || tf.getKernel(standardName, backendName) === undefined) {
      _register(standardName, backendName, kernelFunc);
      replacedKernels.push(standardName);
    }
  }
  preferNativeBackprop(backendName, nativeBackprop);

  // The fused LRT sampling loop; webgpu falls back to elementwise kernels.
  if (wasm) _register(LRT_SAMPLE_KERNEL, backendName, wasmLrtSampleKernel);
  if (wasm) _register(LRT_DEPTHWISE_KERNELS.filter, backendName, wasmLrtDepthwiseFilterGrad);
  if (wasm) _register(LRT_DEPTHWISE_KERNELS.input, backendName, wasmLrtDepthwiseInputGrad);
  if (wasm) _register(LRT_POINTWISE_KERNELS.filter, backendName, wasmLrtPointwiseFilterGrad);
  if (wasm) _register(LRT_POINTWISE_KERNELS.input, backendName, wasmLrtPointwiseInputGrad);
  if (wasm) _register(LRT_MIXTURE_KERNELS.forward, backendName, wasmLrtMixture);
  if (wasm) _register(LRT_MIXTURE_KERNELS.gradient, backendName, wasmLrtMixtureGrad);
  if (backendName === "cpu") _register(LRT_SAMPLE_KERNEL, backendName, cpuLrtSampleKernel);

  // The summed KL of every variational pair in one loop; webgpu concatenates.
  const kl = wasm
    ? wasmVariationalKlKernels
    : backendName === "cpu"
    ? cpuVariationalKlKernels
    : null;
  if (kl !== null) {
    _register(VARIATIONAL_KL_KERNELS.forward, backendName, kl.forward);
    _register(VARIATIONAL_KL_KERNELS.gradient, backendName, kl.gradient);
  }

  if (wasm) {
    const sum = tf.getKernel("Sum", backendName)!.kernelFunc;
    const mean = tf.getKernel("Mean", backendName)!.kernelFunc;
    const cast = tf.getKernel("Cast", backendName)!.kernelFunc;
    const slice = tf.getKernel("Slice", backendName)!.kernelFunc;
    const splitV = tf.getKernel("SplitV", backendName)!.kernelFunc;
    const unpack = tf.getKernel("Unpack", backendName)!.kernelFunc;
    const extra: Array<[string, tf.KernelFunc]> = [
      ["MaxPoolGrad", wasmMaxPoolGradKernel],
      ["Identity", wasmIdentityKernel],
      ["Sum", leadingAxesReduction(sum, false)],
      ["Mean", leadingAxesReduction(mean, true)],
      ["Cast", sameTypeCast(cast)],
      ["Slice", wasmSliceKernel(slice)],
      ["SplitV", wasmSplitVKernel(splitV)],
      ["Unpack", wasmUnpackKernel(unpack)],
    ];
    for (const [kernelName, kernelFunc] of extra) {
      _register(kernelName, backendName, kernelFunc);
      replacedKernels.push(kernelName);
    }
  }

  const installation = { backend: backendName, replacedKernels, nativeBackprop };
  _installations.set(backendName, installation);
  return installation;
}

function _register(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  // Keep the setup function: wasm kernels bind their wasm exports in it.
  const previous = tf.getKernel(kernelName, backendName);
  // Unregister first: tfjs warns on every re-registration.
  if (previous !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc, setupFunc: previous?.setupFunc });
}
