/**
 * Gradient checking for tests: analytic gradients from tfjs against central
 * finite differences, on a scalar loss L = Σ y·r with a fixed random
 * projection r, summed in float64 so that the float32 output is the only
 * source of rounding.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../util/random.ts";

/** Options of {@link checkGradients}. */
export interface GradientCheckOptions {
  /** Computes the output from the current values of `variables`; runs inside a tidy. */
  output: () => tf.Tensor;
  /** The variables to differentiate with respect to, for example the input and the kernels. */
  variables: tf.Variable[];
  /** Finite-difference step. @default 1e-2 */
  step?: number;
  /** Entries checked per variable, chosen at random; all when the variable is smaller. @default 12 */
  entriesPerVariable?: number;
  /** Seed of the projection and of the entry choice. @default 1 */
  seed?: number;
  /**
   * Also accept the forward or backward one-sided difference when it is
   * closer. For networks with ReLU: a step that moves a hidden unit across
   * zero spoils the central difference, but a kink usually lies on one side
   * only, so one of the one-sided quotients stays accurate. A wrong gradient
   * still fails all three. @default false
   */
  oneSided?: boolean;
}

/** How far the analytic gradient of one variable lies from finite differences. */
export interface GradientComparison {
  variable: string;
  /** max over checked entries of |numeric − analytic| / max(|analytic|, floor). */
  maxRelativeError: number;
  /** The floor: 5 % of the largest analytic gradient entry of the variable, at least 1e-4. */
  floor: number;
  checked: number;
}

/** Compares analytic and finite-difference gradients of Σ output·r for each variable. */
export async function checkGradients(options: GradientCheckOptions): Promise<GradientComparison[]> {
  const step = options.step ?? 1e-2;
  const entries = options.entriesPerVariable ?? 12;
  const rng = new Rng(options.seed ?? 1);

  const probe = tf.tidy(options.output);
  const shape = probe.shape;
  probe.dispose();
  const size = shape.reduce((a, b) => a * b, 1);
  const projection = Float64Array.from({ length: size }, () => rng.normal());
  const projectionTensor = tf.tensor(Float32Array.from(projection), shape);

  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(options.output(), projectionTensor)) as tf.Scalar,
    options.variables,
  );
  tf.dispose([value, projectionTensor]);

  const loss = async () => {
    const y = tf.tidy(options.output);
    const values = await y.data();
    y.dispose();
    let total = 0;
    for (let i = 0; i < values.length; i++) total += values[i] * projection[i];
    return total;
  };

  const comparisons: GradientComparison[] = [];
  for (const variable of options.variables) {
    const analytic = await grads[variable.name].data() as Float32Array;
    const base = Float32Array.from(await variable.data());
    const indices = _chooseIndices(base.length, entries, rng);
    const largest = analytic.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const floor = Math.max(0.05 * largest, 1e-4);

    const center = options.oneSided ? await loss() : 0;
    let maxRelativeError = 0;
    for (const index of indices) {
      // The float32 values actually stored, so that rounding of x ± h does not bias the quotient.
      const up = Math.fround(base[index] + step);
      const down = Math.fround(base[index] - step);
      const lossUp = await _lossAt(variable, base, index, up, loss);
      const lossDown = await _lossAt(variable, base, index, down, loss);

      const quotients = [(lossUp - lossDown) / (up - down)];
      if (options.oneSided) {
        quotients.push((lossUp - center) / (up - base[index]));
        quotients.push((center - lossDown) / (base[index] - down));
      }
      const scale = Math.max(Math.abs(analytic[index]), floor);
      const error = Math.min(...quotients.map((q) => Math.abs(q - analytic[index]) / scale));
      maxRelativeError = Math.max(maxRelativeError, error);
    }
    const restored = tf.tensor(base, variable.shape);
    variable.assign(restored);
    restored.dispose();
    comparisons.push({ variable: variable.name, maxRelativeError, floor, checked: indices.length });
  }

  tf.dispose(Object.values(grads));
  return comparisons;
}

async function _lossAt(
  variable: tf.Variable,
  base: Float32Array,
  index: number,
  value: number,
  loss: () => Promise<number>,
): Promise<number> {
  const values = Float32Array.from(base);
  values[index] = value;
  const perturbed = tf.tensor(values, variable.shape);
  variable.assign(perturbed);
  perturbed.dispose();
  return await loss();
}

function _chooseIndices(size: number, count: number, rng: Rng): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.int(size));
  return [...chosen].sort((a, b) => a - b);
}
