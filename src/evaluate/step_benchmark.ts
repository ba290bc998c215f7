/**
 * Wall-clock time of one training step of an evaluation network (forward,
 * ELBO, backward, clipping, SGD update, one read of the loss), measured with
 * the same step function that training uses. Profiles that must fit a time
 * budget are sized from these numbers.
 *
 * The standard grid has 48 cases: 3, 5 and 8 cells; C = 8 and 16; batch 32
 * and 64; 28×28×1 and 32×32×3; plain and variational weights. Run one case
 * per process, because on wasm a single process that builds many networks
 * of different sizes can exhaust the wasm heap (it aborted at the 12th case
 * in a measurement with tfjs 4.22.0), while each case alone fits:
 *
 *     for i in $(seq 0 47); do
 *       deno run --allow-read --allow-env src/evaluate/step_benchmark.ts wasm $i
 *     done
 *
 * Each run prints one JSON line; without a case index, every case runs in
 * one process and a Markdown table follows.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, initBackend } from "../engine/backend.ts";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { countParameters } from "../nn/count_parameters.ts";
import { DARTS_V2 } from "../search/published.ts";
import { EvaluationNetwork } from "./network.ts";
import { evaluationSettings } from "./settings.ts";
import { evaluationConvolutions } from "./train.ts";
import { createEvaluationOptimizer, trainingStep } from "./train_step.ts";

/** One network and batch shape to time. */
export interface StepBenchmarkCase {
  cells: number;
  initChannels: number;
  batchSize: number;
  /** `[height, width, channels]`. */
  inputShape: readonly [number, number, number];
  weights: "plain" | "variational";
  /** Whether the auxiliary head is built and trained (DARTS protocol: yes). */
  auxiliary: boolean;
}

/** Timings of one case, in milliseconds per step. */
export interface StepBenchmarkResult extends StepBenchmarkCase {
  backend: string;
  /** The first step, which includes kernel compilation and memory allocation. */
  firstStepMs: number;
  /** Median of the measured steps after the warm-up. */
  medianStepMs: number;
  /** Fastest measured step. */
  minStepMs: number;
  measuredSteps: number;
  parameters: number;
  multiplyAccumulatesPerImage: number;
}

/** Options of {@link benchmarkTrainingStep}. */
export interface StepBenchmarkOptions {
  /** Steps run before timing, the first one included. @default 2 */
  warmupSteps?: number;
  /** Steps timed after the warm-up. @default 5 */
  measuredSteps?: number;
}

/**
 * Times training steps of a DARTS_V2 network of the given size on random
 * images, with drop path at 0.1 (the middle of DARTS's ramp), auxiliary
 * weight 0.4 and, for variational weights, the KL term of 10,000 examples.
 */
export async function benchmarkTrainingStep(
  testCase: StepBenchmarkCase,
  options: StepBenchmarkOptions = {},
): Promise<StepBenchmarkResult> {
  const warmupSteps = options.warmupSteps ?? 2;
  const measuredSteps = options.measuredSteps ?? 5;
  const { cells, initChannels, batchSize, inputShape, weights, auxiliary } = testCase;
  const settings = evaluationSettings({ cells, initChannels, batchSize, weights });

  const network = new EvaluationNetwork({
    genotype: DARTS_V2.genotype,
    cells,
    initChannels,
    numClasses: 10,
    inputShape,
    auxiliary,
    factory: evaluationConvolutions(settings, 0),
    seed: 0,
  });
  const optimizer = createEvaluationOptimizer(network, settings);
  const context = forwardContext(true, new NoiseSource(0));
  context.dropPathProbability = 0.1;
  const batch = {
    x: tf.randomNormal([batchSize, ...inputShape], 0, 1, "float32", 1) as tf.Tensor4D,
    y: tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % 10), "int32"),
  };
  const stepOptions = {
    numClasses: 10,
    auxiliaryWeight: 0.4,
    kl: weights === "variational" ? { scale: 1 / 10_000, prior: "ard" as const } : null,
    gradientClip: 5,
    learningRate: 0.01,
  };

  try {
    const times: number[] = [];
    for (let step = 0; step < warmupSteps + measuredSteps; step++) {
      const started = performance.now();
      await trainingStep(network, optimizer, batch, context, stepOptions);
      times.push(performance.now() - started);
    }

    const measured = times.slice(warmupSteps).sort((a, b) => a - b);
    const macs = await network.countMultiplyAccumulates();
    const counts = await countParameters(network.store);
    return {
      ...testCase,
      backend: tf.getBackend(),
      firstStepMs: Math.round(times[0]),
      medianStepMs: Math.round(measured[Math.floor(measured.length / 2)]),
      minStepMs: Math.round(measured[0]),
      measuredSteps,
      parameters: counts.total,
      multiplyAccumulatesPerImage: macs.total,
    };
  } finally {
    tf.dispose([batch.x, batch.y]);
    optimizer.dispose();
    network.dispose();
  }
}

/** Returns the standard grid: every combination of the sizes that quick profiles choose from. */
export function standardStepGrid(): StepBenchmarkCase[] {
  const cases: StepBenchmarkCase[] = [];
  for (const inputShape of [[28, 28, 1], [32, 32, 3]] as const) {
    for (const weights of ["plain", "variational"] as const) {
      for (const cells of [3, 5, 8]) {
        for (const initChannels of [8, 16]) {
          for (const batchSize of [32, 64]) {
            cases.push({ cells, initChannels, batchSize, inputShape, weights, auxiliary: true });
          }
        }
      }
    }
  }
  return cases;
}

/** Formats results as a Markdown table. */
export function formatStepTable(results: readonly StepBenchmarkResult[]): string {
  const header = "| input | weights | cells | C | batch | median ms/step | min ms/step | " +
    "first step ms | ms/image | MMAC/image |\n|---|---|---|---|---|---|---|---|---|---|";
  const rows = results.map((r) =>
    `| ${r.inputShape.join("×")} | ${r.weights} | ${r.cells} | ${r.initChannels} | ` +
    `${r.batchSize} | ${r.medianStepMs} | ${r.minStepMs} | ${r.firstStepMs} | ` +
    `${(r.medianStepMs / r.batchSize).toFixed(1)} | ` +
    `${(r.multiplyAccumulatesPerImage / 1e6).toFixed(1)} |`
  );
  return [header, ...rows].join("\n");
}

// The results are this script's output, so they go to stdout, not to the log.
if (import.meta.main) {
  const print = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
  const backend = (Deno.args[0] ?? "wasm") as BackendChoice;
  const grid = standardStepGrid();
  const index = Deno.args[1] === undefined ? null : Number(Deno.args[1]);
  if (index !== null && !(Number.isInteger(index) && index >= 0 && index < grid.length)) {
    throw new RangeError(
      `Cannot run case ${Deno.args[1]}: expected an index 0..${grid.length - 1}.`,
    );
  }
  await initBackend(backend);

  const results: StepBenchmarkResult[] = [];
  for (const testCase of index === null ? grid : [grid[index]]) {
    const result = await benchmarkTrainingStep(testCase);
    results.push(result);
    print(JSON.stringify(result));
  }
  if (index === null) print(`\n${formatStepTable(results)}`);
}
