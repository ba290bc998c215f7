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
import { wasmMaxPoolGradKernel } from "./max_pool_grad_kernel.ts";

/**
 * Per backend, whether its native dilation-1 backprop kernels stay in use
 * (true) or the standard kernel names are replaced by the engine's (false).
 * wasm lacks three of the four kernels and has a naive input gradient; cpu's
 * filter gradient takes seconds per DARTS layer.
 */
// TODO: set webgpu from a measurement on a real GPU; lavapipe timings do not
// transfer.
const _KEEP_NATIVE: Record<string, boolean> = { cpu: false, wasm: false, webgpu: true };

const _STANDARD_KERNELS: Array<[string, tf.KernelFunc]> = [
  ["Conv2DBackpropInput", conv2dBackpropInputKernel],
  ["Conv2DBackpropFilter", conv2dBackpropFilterKernel],
  ["DepthwiseConv2dNativeBackpropInput", depthwiseBackpropInputKernel],
  ["DepthwiseConv2dNativeBackpropFilter", depthwiseBackpropFilterKernel],
];

let _gradientsInstalled = false;
const _installedBackends = new Set<string>();

/** What {@link installEngine} did for one backend, for provenance. */
export interface EngineInstallation {
  backend: string;
  /** Standard kernel names now served by the engine. */
  replacedKernels: string[];
  /** Whether native backprop kernels serve dilation-1 gradients. */
  nativeBackprop: boolean;
}

const _installations = new Map<string, EngineInstallation>();

/** Installs the engine on the current backend if that has not happened yet. */
export function ensureEngineInstalled(): void {
  const backendName = tf.getBackend();
  if (!_installedBackends.has(backendName)) installEngine(backendName);
}

/**
 * Registers the gradient overrides (first call only) and the engine kernels
 * for `backendName`. Safe to call again.
 */
export function installEngine(backendName: string): EngineInstallation {
  if (!_gradientsInstalled) {
    tf.registerGradient(conv2dGradient);
    tf.registerGradient(depthwiseConv2dGradient);
    _gradientsInstalled = true;
  }

  const existing = _installations.get(backendName);
  if (existing !== undefined) return existing;

  const engineNames: Array<[string, tf.KernelFunc]> = [
    [ENGINE_KERNELS.conv2dBackpropInput, conv2dBackpropInputKernel],
    [ENGINE_KERNELS.conv2dBackpropFilter, conv2dBackpropFilterKernel],
    [ENGINE_KERNELS.depthwiseBackpropInput, depthwiseBackpropInputKernel],
    [ENGINE_KERNELS.depthwiseBackpropFilter, depthwiseBackpropFilterKernel],
  ];
  for (const [kernelName, kernelFunc] of engineNames) {
    _register(kernelName, backendName, kernelFunc);
  }

  const nativeBackprop = _KEEP_NATIVE[backendName] ?? false;
  const replacedKernels: string[] = [];
  for (const [kernelName, kernelFunc] of _STANDARD_KERNELS) {
    const missing = tf.getKernel(kernelName, backendName) === undefined;
    if (missing || !nativeBackprop) {
      _register(kernelName, backendName, kernelFunc);
      replacedKernels.push(kernelName);
    }
  }
  preferNativeBackprop(backendName, nativeBackprop);

  if (backendName === "wasm") {
    _register("MaxPoolGrad", backendName, wasmMaxPoolGradKernel);
    replacedKernels.push("MaxPoolGrad");
  }

  const installation = { backend: backendName, replacedKernels, nativeBackprop };
  _installations.set(backendName, installation);
  _installedBackends.add(backendName);
  return installation;
}

function _register(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  // Unregister first: tfjs warns on every re-registration.
  if (tf.getKernel(kernelName, backendName) !== undefined) {
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}
