/**
 * The training-step benchmark suite: a DARTS mixed operation and the DARTS
 * and VINNAS supergraph steps at the `quick` and `paper` sizes, on each tfjs
 * backend and, when Debian's python3-torch is installed, in PyTorch at 1 and
 * 2 threads, all in one run on one machine so the ratios compare like with
 * like.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import os from "node:os";
import type { BackendName } from "../engine/backend.ts";
import { searchSettings } from "../search/settings.ts";
import { mixedOperationStepFlops, type StepFlops, supergraphStepFlops } from "./flop_model.ts";
import { probePytorch, type PytorchProbe, runPytorchCase } from "./pytorch_reference.ts";
import { runCaseInWorker } from "./run_case.ts";
import type { StepCaseRequest, StepCaseResult, StepCaseStatus, StepKind } from "./step_case.ts";

/** Shape of the networks of one size label. */
export interface SizeProfile {
  name: string;
  /** Where the numbers come from. */
  source: string;
  cells: number;
  initChannels: number;
  batch: number;
  size: number;
  inputChannels: number;
  classes: number;
}

/** Options of {@link runStepSuite}. */
export interface StepSuiteOptions {
  backends: BackendName[];
  profiles: SizeProfile[];
  kinds: StepKind[];
  /** Untimed steps, the first included. */
  warmup: number;
  repeats: number;
  /**
   * Per backend (and "pytorch"): a case whose first step takes longer stops
   * there as too slow; absent means one hour.
   */
  maxStepMs: Partial<Record<BackendName | "pytorch", number>>;
  /** A worker still running after this long is stopped. */
  caseTimeoutMs: number;
  pytorch: boolean;
  pytorchThreads: number[];
  /** Address-space cap of each PyTorch process, so a size that does not fit fails cleanly. */
  pytorchMemoryLimitBytes: number;
  /** Called with one line per finished measurement. */
  onProgress?: (line: string) => void;
}

/** One measurement (a backend or a PyTorch thread count) of one case. */
export interface Measurement {
  status: StepCaseStatus;
  reason?: string;
  firstStepMs?: number;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Timed steps. */
  steps?: number;
  imagesPerSecond?: number;
  gflopPerSecond?: number;
  cpuMsPerStep?: number;
  peakTensorBytes?: number;
  rssBytes?: number;
  wasmHeapBytes?: number;
  kernelsPerStep?: number;
}

/** All measurements of one network at one size. */
export interface CaseReport {
  kind: StepKind;
  profile: string;
  shape: Omit<SizeProfile, "name" | "source">;
  flops: StepFlops;
  tfjs: Partial<Record<BackendName, Measurement>>;
  /** Keyed by thread count. */
  pytorch: Record<string, Measurement>;
}

/** Ratios of median step times. */
export interface SuiteRatios {
  /** Per size: VINNAS step / DARTS step, per backend or "pytorch-N". */
  vinnasOverDarts: Record<string, Record<string, number>>;
  /**
   * Per case ("kind/profile"): fastest tfjs backend / PyTorch at each
   * thread count, with the backend named.
   */
  tfjsOverPytorch: Record<string, { backend: string; ratios: Record<string, number> }>;
}

/** The machine a run measured. */
export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  memoryBytes: number | null;
  os: string;
  deno: string;
  v8: string;
  tfjs: string;
  /** 1-minute load average at the start and the end of the run: other processes share the cores. */
  loadAverage: { start: number[] | null; end: number[] | null };
}

/** The result file of a run. */
export interface StepSuiteReport {
  /** ISO time of the start of the run. */
  date: string;
  machine: MachineInfo;
  pytorch: PytorchProbe;
  options: Omit<StepSuiteOptions, "onProgress" | "profiles">;
  profiles: SizeProfile[];
  cases: CaseReport[];
  ratios: SuiteRatios;
}

/** Shape of the mixed-operation case: DARTS's first search cell (C = 16, 32 × 32, batch 32). */
export const MIXED_OPERATION_PROFILE: SizeProfile = {
  name: "darts-cell",
  source: "DARTS's first search cell: C = 16, 32 × 32, batch 32",
  cells: 1,
  initChannels: 16,
  batch: 32,
  size: 32,
  inputChannels: 16,
  classes: 10,
};

/** DARTS's search defaults on CIFAR-10: 8 cells, C = 16, batch 64, 32 × 32 × 3. */
export function paperProfile(): SizeProfile {
  const defaults = searchSettings();
  return {
    name: "paper",
    source: "DARTS search defaults (train_search.py) on CIFAR-10",
    cells: defaults.cells,
    initChannels: defaults.initChannels,
    batch: defaults.batchSize,
    size: 32,
    inputChannels: 3,
    classes: 10,
  };
}

/**
 * The search block of profile `name` of an experiment file (its cells,
 * initial channels and batch size, each falling back to the file's search
 * block and then to the defaults), on CIFAR-10's 32 × 32 × 3 images.
 */
export async function experimentProfile(file: string, name: string): Promise<SizeProfile> {
  const experiment = JSON.parse(await Deno.readTextFile(file));
  const profile = experiment.profiles?.[name];
  if (profile === undefined) {
    throw new Error(
      `Cannot read profile ${name} from ${file}: the file has no such profile. ` +
        `Choose one of ${Object.keys(experiment.profiles ?? {}).join(", ")}.`,
    );
  }
  const search = { ...experiment.search, ...profile.search };
  const defaults = searchSettings();
  return {
    name,
    source: `${file}, profile ${name}, search block`,
    cells: search.cells ?? defaults.cells,
    initChannels: search.initChannels ?? defaults.initChannels,
    batch: search.batchSize ?? defaults.batchSize,
    size: 32,
    inputChannels: 3,
    classes: 10,
  };
}

/** Runs every case and returns the report. */
export async function runStepSuite(options: StepSuiteOptions): Promise<StepSuiteReport> {
  const date = new Date().toISOString();
  const loadStart = _loadAverage();
  const progress = options.onProgress ?? (() => {});
  const pytorch: PytorchProbe = options.pytorch
    ? await probePytorch()
    : { available: false, reason: "turned off with --no-pytorch" };
  if (!pytorch.available) progress(`PyTorch column skipped: ${pytorch.reason}`);

  const cases: CaseReport[] = [];
  // A backend too slow at one size is not tried at a larger one.
  const tooSlow = new Set<string>();
  for (const kind of options.kinds) {
    const profiles = kind === "mixed-op" ? [MIXED_OPERATION_PROFILE] : options.profiles;
    for (const profile of profiles) {
      const report = _emptyCase(kind, profile);
      for (const backend of options.backends) {
        const key = `${kind}/${backend}`;
        // cpu and webgpu have no 4 GiB cap: a size that exhausts the wasm heap
        // drove a lavapipe worker past 15 GB of RSS until the kernel killed
        // the process, so such sizes are not tried there.
        const wasmOutOfMemory = backend !== "wasm" &&
          report.tfjs.wasm?.status === "out-of-memory";
        if (tooSlow.has(key)) {
          report.tfjs[backend] = {
            status: "too-slow",
            reason: "skipped: too slow at a smaller size",
          };
        } else if (wasmOutOfMemory) {
          report.tfjs[backend] = {
            status: "out-of-memory",
            reason: "skipped: the wasm case exhausted its 4 GiB heap, so this backend, which " +
              "has no such cap, was not tried",
          };
        } else {
          const request = _request(kind, backend, profile, options);
          const result = await runCaseInWorker(request, options.caseTimeoutMs);
          report.tfjs[backend] = _measurement(result, report);
          if (result.status === "too-slow") tooSlow.add(key);
        }
        progress(_line(`${kind} ${profile.name} tfjs-${backend}`, report.tfjs[backend]!));
      }

      if (pytorch.available) {
        for (const threads of options.pytorchThreads) {
          const request = _request(kind, "pytorch", profile, options);
          const result = await runPytorchCase(
            request,
            threads,
            options.pytorchMemoryLimitBytes,
            options.caseTimeoutMs,
          );
          const measurement = _measurement({ request, ...result }, report);
          measurement.rssBytes = result.peakRssBytes;
          report.pytorch[String(threads)] = measurement;
          progress(_line(`${kind} ${profile.name} pytorch-${threads}t`, measurement));
        }
      }
      cases.push(report);
    }
  }

  const { onProgress: _, profiles, ...recorded } = options;
  return {
    date,
    machine: _machine(loadStart),
    pytorch,
    options: recorded,
    profiles,
    cases,
    ratios: suiteRatios(cases),
  };
}

/** VINNAS / DARTS and tfjs / PyTorch ratios of median step times. */
export function suiteRatios(cases: CaseReport[]): SuiteRatios {
  const vinnasOverDarts: SuiteRatios["vinnasOverDarts"] = {};
  for (const vinnas of cases.filter((c) => c.kind === "vinnas")) {
    const darts = cases.find((c) => c.kind === "darts" && c.profile === vinnas.profile);
    if (darts === undefined) continue;
    const ratios: Record<string, number> = {};
    const pairs: Array<[string, Measurement | undefined, Measurement | undefined]> = [
      ...Object.entries(vinnas.tfjs).map(([backend, m]) =>
        [backend, m, darts.tfjs[backend as BackendName]] as [string, Measurement, Measurement]
      ),
      ...Object.entries(vinnas.pytorch).map(([threads, m]) =>
        [`pytorch-${threads}`, m, darts.pytorch[threads]] as [string, Measurement, Measurement]
      ),
    ];
    for (const [label, v, d] of pairs) {
      if (v?.medianMs !== undefined && d?.medianMs !== undefined) {
        ratios[label] = v.medianMs / d.medianMs;
      }
    }
    vinnasOverDarts[vinnas.profile] = ratios;
  }

  const tfjsOverPytorch: SuiteRatios["tfjsOverPytorch"] = {};
  for (const report of cases) {
    const timed = Object.entries(report.tfjs).filter(([, m]) => m?.medianMs !== undefined);
    if (timed.length === 0) continue;
    const [backend, best] = timed.reduce((a, b) => (b[1]!.medianMs! < a[1]!.medianMs! ? b : a));
    const ratios: Record<string, number> = {};
    for (const [threads, m] of Object.entries(report.pytorch)) {
      if (m.medianMs !== undefined) ratios[`pytorch-${threads}`] = best!.medianMs! / m.medianMs;
    }
    if (Object.keys(ratios).length > 0) {
      tfjsOverPytorch[`${report.kind}/${report.profile}`] = { backend, ratios };
    }
  }
  return { vinnasOverDarts, tfjsOverPytorch };
}

function _emptyCase(kind: StepKind, profile: SizeProfile): CaseReport {
  const { name: _, source: __, ...shape } = profile;
  const flops = kind === "mixed-op"
    ? mixedOperationStepFlops(profile.initChannels, profile.size, profile.batch)
    : supergraphStepFlops(kind, shape);
  return { kind, profile: profile.name, shape, flops, tfjs: {}, pytorch: {} };
}

function _request(
  kind: StepKind,
  backend: BackendName | "pytorch",
  profile: SizeProfile,
  options: StepSuiteOptions,
): StepCaseRequest {
  const { name, source: _, ...shape } = profile;
  return {
    kind,
    // The PyTorch script ignores the backend.
    backend: backend === "pytorch" ? "cpu" : backend,
    profile: name,
    ...shape,
    warmup: options.warmup,
    repeats: options.repeats,
    maxStepMs: options.maxStepMs[backend] ?? 3_600_000,
  };
}

function _measurement(result: StepCaseResult, report: CaseReport): Measurement {
  const measurement: Measurement = { status: result.status };
  if (result.reason !== undefined) measurement.reason = result.reason;
  if (result.firstStepMs !== undefined) measurement.firstStepMs = result.firstStepMs;
  if (result.stepMs !== undefined && result.stepMs.length > 0) {
    const sorted = [...result.stepMs].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1
      ? sorted[middle]
      : (sorted[middle - 1] + sorted[middle]) / 2;
    measurement.medianMs = median;
    measurement.minMs = sorted[0];
    measurement.maxMs = sorted[sorted.length - 1];
    measurement.steps = sorted.length;
    measurement.imagesPerSecond = report.shape.batch / (median / 1000);
    measurement.gflopPerSecond = report.flops.total / 1e9 / (median / 1000);
  }
  const optional = [
    "cpuMsPerStep",
    "peakTensorBytes",
    "rssBytes",
    "wasmHeapBytes",
    "kernelsPerStep",
  ] as const;
  for (const key of optional) {
    if (result[key] !== undefined) measurement[key] = result[key];
  }
  return measurement;
}

function _line(label: string, m: Measurement): string {
  if (m.medianMs === undefined) {
    const first = m.firstStepMs === undefined
      ? ""
      : ` (one step ${(m.firstStepMs / 1000).toFixed(1)} s)`;
    return `${label}: ${m.status}${first}${m.reason === undefined ? "" : ` — ${m.reason}`}`;
  }
  const peak = m.peakTensorBytes === undefined
    ? ""
    : `, peak tensors ${(m.peakTensorBytes / 2 ** 20).toFixed(0)} MiB`;
  return `${label}: ${m.medianMs.toFixed(0)} ms/step (min ${m.minMs!.toFixed(0)}, max ` +
    `${m.maxMs!.toFixed(0)}), ${m.imagesPerSecond!.toFixed(1)} img/s, ` +
    `${m.gflopPerSecond!.toFixed(2)} GFLOP/s${peak}`;
}

function _machine(loadStart: number[] | null): MachineInfo {
  let cpuModel = "unknown (run with --allow-sys=cpus)";
  let memoryBytes: number | null = null;
  let osName = `${Deno.build.os} ${Deno.build.arch}`;
  try {
    cpuModel = os.cpus()[0]?.model ?? cpuModel;
  } catch {
    // Without the sys permission the model stays unknown.
  }
  try {
    memoryBytes = Deno.systemMemoryInfo().total;
  } catch {
    // Without the sys permission the memory stays unknown.
  }
  try {
    osName += ` (kernel ${Deno.osRelease()})`;
  } catch {
    // Without the sys permission the kernel release stays unknown.
  }
  return {
    cpuModel,
    logicalCores: navigator.hardwareConcurrency,
    memoryBytes,
    os: osName,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    tfjs: tf.version.tfjs,
    loadAverage: { start: loadStart, end: _loadAverage() },
  };
}

function _loadAverage(): number[] | null {
  try {
    return Deno.loadavg();
  } catch {
    return null;
  }
}
