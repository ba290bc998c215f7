/**
 * The backends the engine tests run on, and why webgpu is skipped where it
 * is.
 *
 * @module
 */

import type { BackendName } from "../backend.ts";

/** Every backend the engine supports, cpu first so it serves as the baseline. */
export const TEST_BACKENDS: readonly BackendName[] = ["cpu", "wasm", "webgpu"];

/** Returns why `backend` cannot be tested here, or undefined. Only webgpu can be missing. */
export async function skipReason(backend: BackendName): Promise<string | undefined> {
  if (backend !== "webgpu") return undefined;
  if (typeof navigator === "undefined" || navigator.gpu === undefined) {
    return "navigator.gpu is missing";
  }
  const adapter = await navigator.gpu.requestAdapter();
  return adapter === null
    ? "no WebGPU adapter (install mesa-vulkan-drivers for lavapipe)"
    : undefined;
}
