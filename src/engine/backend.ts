/**
 * Backend selection for tfjs under Deno. `initBackend` makes one of cpu,
 * wasm or webgpu current, installs the engine's kernels on it and returns a
 * description that result files record for provenance.
 *
 * Permissions: cpu needs none. wasm needs read access to its `.wasm` binary
 * in Deno's npm cache ({@link wasmBinaryPath}). webgpu needs none; without
 * a GPU, Mesa's lavapipe (Debian `mesa-vulkan-drivers`) provides a software
 * adapter that is about ten times slower than wasm.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { type EngineInstallation, installEngine } from "./install.ts";

/** A backend that can be requested; `auto` picks the fastest available. */
export type BackendChoice = "auto" | "cpu" | "wasm" | "webgpu";

/** A concrete backend. */
export type BackendName = Exclude<BackendChoice, "auto">;

/** The GPU adapter behind the webgpu backend. */
export interface AdapterDescription {
  description: string;
  vendor: string;
  architecture: string;
  /** True for a software adapter such as lavapipe. */
  isFallbackAdapter: boolean;
}

/** The backend a run used, recorded in every result file. */
export interface BackendInfo {
  backend: BackendName;
  adapter: AdapterDescription | null;
  tfjsVersion: string;
  flags: Record<string, unknown>;
  wasmSimd?: boolean;
  wasmThreads?: boolean;
  engine: EngineInstallation;
}

/** Whether a backend can be initialised here, and why not. */
export interface BackendProbe {
  backend: BackendName;
  available: boolean;
  /** The cause when the backend cannot be used; absent when available. */
  reason?: string;
  adapter: AdapterDescription | null;
}

/**
 * Makes `choice` the current tfjs backend and installs the engine on it.
 * `auto` picks webgpu on a hardware adapter, else wasm, else cpu. A forced
 * backend that fails to initialise raises an error naming the cause and fix
 * instead of falling back.
 */
export async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  tf.env().set("PROD", true);

  let backend: BackendName;
  let adapter: AdapterDescription | null = null;
  if (choice === "auto") {
    const picked = await _pickAutomatically();
    backend = picked.backend;
    adapter = picked.adapter;
  } else {
    backend = choice;
    const problem = await _precondition(backend);
    if (problem !== undefined) throw new Error(_failure(backend, problem));
    if (backend === "webgpu") adapter = await _adapterDescription();
  }

  await _setBackend(backend);
  const engine = installEngine(backend);

  const info: BackendInfo = {
    backend,
    adapter,
    tfjsVersion: tf.version.tfjs,
    flags: { ...tf.env().getFlags() },
    engine,
  };
  if (backend === "wasm") {
    info.wasmSimd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    info.wasmThreads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  return info;
}

/**
 * Tries every backend and reports which can be initialised. Restores the
 * backend that was current before, if any.
 */
export async function probeBackends(): Promise<BackendProbe[]> {
  tf.env().set("PROD", true);
  const previous = _currentBackend();
  const probes: BackendProbe[] = [];

  for (const backend of ["cpu", "wasm", "webgpu"] as const) {
    const adapter = backend === "webgpu" ? await _adapterDescription() : null;
    const problem = await _precondition(backend);
    if (problem !== undefined) {
      probes.push({ backend, available: false, reason: problem, adapter });
      continue;
    }

    try {
      await _setBackend(backend);
      probes.push({ backend, available: true, adapter });
    } catch (error) {
      probes.push({ backend, available: false, reason: (error as Error).message, adapter });
    }
  }

  if (previous !== undefined) await tf.setBackend(previous);
  return probes;
}

/** Path of the wasm binary the wasm backend reads, inside Deno's npm cache. */
export function wasmBinaryPath(simd = true): string {
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  const file = simd ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm";
  return decodeURIComponent(new URL(file, entry).pathname);
}

async function _pickAutomatically(): Promise<
  { backend: BackendName; adapter: AdapterDescription | null }
> {
  const adapter = await _adapterDescription();
  if (adapter !== null && !adapter.isFallbackAdapter) return { backend: "webgpu", adapter };

  // A software adapter is about ten times slower than wasm on the same cores.
  if (await _precondition("wasm") === undefined) return { backend: "wasm", adapter: null };
  return { backend: "cpu", adapter: null };
}

/** Returns why `backend` cannot work here, or undefined when it may. */
async function _precondition(backend: BackendName): Promise<string | undefined> {
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") as boolean;
    const path = wasmBinaryPath(simd);
    const status = await Deno.permissions.query({ name: "read", path });
    if (status.state !== "granted") {
      return `Deno may not read the wasm binary ${path}. Run with --allow-read=${path}`;
    }
  }

  if (backend === "webgpu") {
    if (typeof navigator === "undefined" || navigator.gpu === undefined) {
      return "navigator.gpu is missing in this Deno build. Use Deno ≥ 2.9 or choose --backend wasm";
    }
    _ensureRuntimeDirectory();
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) {
      return "no WebGPU adapter was found. Install a GPU driver (or Debian's mesa-vulkan-drivers " +
        "for the slow software adapter lavapipe) or choose --backend wasm";
    }
  }
  return undefined;
}

async function _setBackend(backend: BackendName): Promise<void> {
  const ok = await tf.setBackend(backend);
  if (ok && tf.getBackend() === backend) return;

  // tfjs hides the cause of a failed initialisation when PROD is set; run the
  // factory again to learn it.
  let cause = "tfjs gave no reason";
  try {
    const created = await tf.findBackendFactory(backend)?.();
    if (created !== undefined) created.dispose();
  } catch (error) {
    cause = (error as Error).message;
  }
  throw new Error(_failure(backend, cause));
}

function _failure(backend: BackendName, cause: string): string {
  return `Cannot initialise the tfjs ${backend} backend: ${cause}.`;
}

async function _adapterDescription(): Promise<AdapterDescription | null> {
  if (typeof navigator === "undefined" || navigator.gpu === undefined) return null;
  _ensureRuntimeDirectory();
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) return null;

  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    description: info.description,
    vendor: info.vendor,
    architecture: info.architecture,
    isFallbackAdapter: info.isFallbackAdapter ?? false,
  };
}

function _currentBackend(): string | undefined {
  // tf.getBackend() would initialise the highest-priority backend as a side effect.
  const engine = tf.engine() as unknown as { backendName: string | null };
  return engine.backendName ?? undefined;
}

// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid or not set" once
// per adapter request when the variable is missing, as on CI machines and in
// containers. They read it when the driver loads, so a private 0700 folder is
// set before the first request. Without --allow-env or write access the
// messages stay; they are harmless.
function _ensureRuntimeDirectory(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    // makeTempDir creates the folder with mode 0700, as the variable requires.
    Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "vinnas-runtime-" }));
  } catch {
    // Permissions missing: keep Mesa's messages rather than fail.
  }
}
