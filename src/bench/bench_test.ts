import assert from "node:assert/strict";
import { mixedOperationMacs } from "../engine/bench_mixed_op.ts";
import { PRIMITIVES } from "../search/primitives.ts";
import {
  BEGIN_MARKER,
  END_MARKER,
  renderBenchmarkSection,
  writeBenchmarkPage,
} from "./benchmark_page.ts";
import { mixedOperationStepFlops, supergraphStepFlops } from "./flop_model.ts";
import { type CaseReport, type StepSuiteReport, suiteRatios } from "./step_suite.ts";

const QUICK = { cells: 3, initChannels: 4, batch: 32, size: 32, inputChannels: 3, classes: 10 };

Deno.test("mixed-operation FLOP model agrees with the engine's MAC count", () => {
  const flops = mixedOperationStepFlops(16, 32, 32);
  const macs = PRIMITIVES.reduce((sum, p) => sum + mixedOperationMacs(p, 16, 32, 1), 0);
  // 2 FLOP per multiply-accumulate, 3 × forward for a step, 32 images.
  assert.equal(flops.convolution, 3 * 2 * 32 * macs);
  assert.ok(flops.elementwise > 0);
  assert.equal(flops.total, flops.convolution + flops.elementwise);
});

Deno.test("VINNAS supergraph counts twice DARTS's convolution FLOPs", () => {
  const darts = supergraphStepFlops("darts", QUICK);
  const vinnas = supergraphStepFlops("vinnas", QUICK);
  assert.equal(vinnas.convolution, 2 * darts.convolution);
  assert.ok(vinnas.elementwise > darts.elementwise);
});

Deno.test("supergraph FLOPs scale linearly with the batch", () => {
  const one = supergraphStepFlops("darts", { ...QUICK, batch: 1 });
  const many = supergraphStepFlops("darts", { ...QUICK, batch: 32 });
  assert.equal(many.total, 32 * one.total);
});

Deno.test("a one-cell supergraph counts more than its stem", () => {
  // The stem alone: 2·9·3·12 FLOP per pixel of a 32 × 32 image, forward, 3 × for a step.
  const flops = supergraphStepFlops("darts", { ...QUICK, cells: 1, batch: 1 });
  const stem = 3 * 2 * 9 * 3 * 12 * 32 * 32;
  assert.ok(flops.convolution > stem);
});

function fakeCase(kind: "darts" | "vinnas", wasm: number, pytorch: number): CaseReport {
  return {
    kind,
    profile: "quick",
    shape: QUICK,
    flops: supergraphStepFlops(kind, QUICK),
    tfjs: { wasm: { status: "ok", medianMs: wasm, minMs: wasm, maxMs: wasm } },
    pytorch: { "1": { status: "ok", medianMs: pytorch, minMs: pytorch, maxMs: pytorch } },
  };
}

Deno.test("suiteRatios divides VINNAS by DARTS and tfjs by PyTorch", () => {
  const ratios = suiteRatios([fakeCase("darts", 1000, 500), fakeCase("vinnas", 1500, 1250)]);
  assert.equal(ratios.vinnasOverDarts.quick.wasm, 1.5);
  assert.equal(ratios.vinnasOverDarts.quick["pytorch-1"], 2.5);
  assert.equal(ratios.tfjsOverPytorch["darts/quick"].backend, "wasm");
  assert.equal(ratios.tfjsOverPytorch["darts/quick"].ratios["pytorch-1"], 2);
});

Deno.test("writeBenchmarkPage replaces only the generated part", async () => {
  const path = await Deno.makeTempFile({ suffix: ".md" });
  try {
    await Deno.writeTextFile(
      path,
      `# Title\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\nKept text.\n`,
    );
    await writeBenchmarkPage(path, "new section");
    const page = await Deno.readTextFile(path);
    assert.ok(page.includes("new section"));
    assert.ok(!page.includes("old"));
    assert.ok(page.includes("Kept text."));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("writeBenchmarkPage rejects a page without markers", async () => {
  const path = await Deno.makeTempFile({ suffix: ".md" });
  try {
    await Deno.writeTextFile(path, "# Title\n");
    await assert.rejects(() => writeBenchmarkPage(path, "x"), /lacks the markers/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("renderBenchmarkSection names heap exhaustion and slow cases", () => {
  const report: StepSuiteReport = {
    date: "2026-01-01T00:00:00.000Z",
    machine: {
      cpuModel: "test CPU",
      logicalCores: 2,
      memoryBytes: null,
      os: "linux",
      deno: "2",
      v8: "1",
      tfjs: "4.22.0",
      loadAverage: { start: null, end: null },
    },
    pytorch: { available: false, reason: "not installed" },
    options: {
      backends: ["wasm", "cpu"],
      kinds: ["darts"],
      warmup: 1,
      repeats: 1,
      maxStepMs: {},
      caseTimeoutMs: 1000,
      pytorch: false,
      pytorchThreads: [1],
      pytorchMemoryLimitBytes: 2 ** 33,
    },
    profiles: [],
    cases: [{
      ...fakeCase("darts", 1000, 500),
      tfjs: {
        wasm: { status: "out-of-memory", reason: "memory access out of bounds" },
        cpu: { status: "too-slow", firstStepMs: 25_000 },
      },
      pytorch: {},
    }],
    ratios: { vinnasOverDarts: {}, tfjsOverPytorch: {} },
  };
  const section = renderBenchmarkSection(report, "deno task bench");
  assert.ok(section.includes("does not fit in the 4 GiB wasm heap"));
  assert.ok(section.includes("skipped: too slow (one step took 25.0 s)"));
  assert.ok(section.includes("not run: not installed"));

  const dirty = renderBenchmarkSection(report, "deno task bench", {
    commit: "0123456789abcdef",
    dirty: true,
  });
  assert.match(dirty, /UTC at commit 0123456 with uncommitted changes with `deno task bench`/);
  assert.match(section, /UTC at an unknown commit with/);
});
