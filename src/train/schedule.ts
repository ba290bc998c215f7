/**
 * Learning-rate schedules, evaluated per epoch as PyTorch's
 * `CosineAnnealingLR` stepped once an epoch (the DARTS protocol).
 *
 * @module
 */

/**
 * Returns the cosine-annealed learning rate of `epoch` (0-based) of
 * `totalEpochs`: lrMin + (lrMax − lrMin)·(1 + cos(π·epoch/totalEpochs))/2.
 */
export function cosineLearningRate(
  epoch: number,
  totalEpochs: number,
  lrMax: number,
  lrMin: number,
): number {
  if (totalEpochs <= 0) {
    throw new RangeError(`Cannot schedule ${totalEpochs} epochs: expected at least 1.`);
  }

  const progress = Math.min(Math.max(epoch / totalEpochs, 0), 1);
  return lrMin + (lrMax - lrMin) * (1 + Math.cos(Math.PI * progress)) / 2;
}

/**
 * Returns the weight β of the KL term in `epoch` (0-based): a linear ramp
 * from 0 to 1 over `warmupEpochs`, reaching 1 at epoch `warmupEpochs`;
 * 0 warm-up epochs means β = 1 throughout.
 */
export function klWarmup(epoch: number, warmupEpochs: number): number {
  if (warmupEpochs <= 0) return 1;
  return Math.min(1, epoch / warmupEpochs);
}
