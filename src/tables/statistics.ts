/**
 * Mean and sample standard deviation over seeds.
 *
 * @module
 */

/** Mean and spread of a set of measurements. */
export interface SampleStatistics {
  n: number;
  mean: number;
  /** Sample standard deviation (divisor n − 1); null for fewer than two values. */
  std: number | null;
}

/**
 * Computes the mean and the sample standard deviation (Bessel's correction,
 * divisor n − 1) of `values`, summed in the given order. Callers sort the
 * values first so that the floating-point result does not depend on the
 * order in which files were read.
 *
 * @throws RangeError when `values` is empty or contains a non-finite number
 */
export function sampleStatistics(values: readonly number[]): SampleStatistics {
  if (values.length === 0) {
    throw new RangeError("Cannot compute statistics of no values: pass at least one value.");
  }

  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) {
    throw new RangeError(`Cannot compute statistics: got the non-finite value ${bad}.`);
  }

  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { n, mean, std: null };

  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { n, mean, std: Math.sqrt(squares / (n - 1)) };
}
