/**
 * Data augmentation of the DARTS CIFAR-10 protocol, done on CPU arrays
 * before a batch becomes a tensor. The steps are a random crop with zero
 * padding, a random horizontal flip, normalisation, and cutout (DeVries and
 * Taylor 2017). Cutout zeroes a square of the normalised image, as DARTS's
 * `Cutout` does.
 *
 * @module
 */

import type { Rng } from "../util/random.ts";

/** Settings of each augmentation. Each one is off at 0 or false. */
export interface AugmentOptions {
  /** Zero padding in pixels on each side before a random crop to the original size; 0 = off. */
  cropPadding: number;
  /** Flip each image left-right with probability 0.5. Meant for CIFAR-10, not for digits. */
  horizontalFlip: boolean;
  /** Side of the square zeroed after normalisation, in pixels; 0 = off. */
  cutoutLength: number;
}

/** No augmentation. */
export const NO_AUGMENTATION: Readonly<AugmentOptions> = {
  cropPadding: 0,
  horizontalFlip: false,
  cutoutLength: 0,
};

/** Image geometry and per-channel lookup tables from pixel value (0..255) to normalised value. */
export interface ImageLayout {
  height: number;
  width: number;
  channels: number;
  /** `normalized[c][v] = (v / 255 - mean[c]) / std[c]`. */
  normalized: Float32Array[];
}

/** Builds the lookup tables of `(v / 255 - mean) / std` for each channel. */
export function imageLayout(
  height: number,
  width: number,
  mean: readonly number[],
  std: readonly number[],
): ImageLayout {
  if (mean.length !== std.length || std.some((value) => !(value > 0))) {
    throw new RangeError(
      `Cannot normalise with mean [${mean}] and std [${std}]: expected one positive std per mean.`,
    );
  }

  const normalized = mean.map((channelMean, c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - channelMean) / std[c];
    return table;
  });
  return { height, width, channels: mean.length, normalized };
}

/** Checks that augmentation options are non-negative integers. */
export function validateAugmentOptions(options: AugmentOptions): void {
  for (const key of ["cropPadding", "cutoutLength"] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Cannot augment with ${key} ${value}: expected a non-negative integer.`);
    }
  }
}

/**
 * Writes one augmented, normalised image `[height, width, channels]` into
 * `target` at `targetOffset`. `source` contains the uint8 image at
 * `sourceOffset`. Random draws, in order: crop offsets (y, x), flip, cutout
 * centre (y, x), each only when that augmentation is on.
 */
export function writeAugmentedImage(
  source: Uint8Array,
  sourceOffset: number,
  target: Float32Array,
  targetOffset: number,
  layout: ImageLayout,
  augment: AugmentOptions,
  rng: Rng,
): void {
  const { height, width, channels, normalized } = layout;
  const padding = augment.cropPadding;
  const shiftY = padding > 0 ? rng.int(2 * padding + 1) - padding : 0;
  const shiftX = padding > 0 ? rng.int(2 * padding + 1) - padding : 0;
  const flip = augment.horizontalFlip && rng.next() < 0.5;

  for (let y = 0; y < height; y++) {
    const sourceY = y + shiftY;
    for (let x = 0; x < width; x++) {
      const croppedX = flip ? width - 1 - x : x;
      const sourceX = croppedX + shiftX;
      const out = targetOffset + (y * width + x) * channels;
      const inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width;
      const pixel = sourceOffset + (sourceY * width + sourceX) * channels;

      // Padding is black in pixel space, as torchvision's RandomCrop pads with 0.
      for (let c = 0; c < channels; c++) {
        target[out + c] = normalized[c][inside ? source[pixel + c] : 0];
      }
    }
  }

  if (augment.cutoutLength > 0) {
    _cutout(target, targetOffset, layout, augment.cutoutLength, rng);
  }
}

/** Zeroes a square of side `length` centred at a uniform pixel, clipped at the borders (DARTS `Cutout`). */
function _cutout(
  target: Float32Array,
  targetOffset: number,
  layout: ImageLayout,
  length: number,
  rng: Rng,
): void {
  const { height, width, channels } = layout;
  const centreY = rng.int(height);
  const centreX = rng.int(width);
  const half = Math.floor(length / 2);
  const y0 = Math.max(0, centreY - half);
  const y1 = Math.min(height, centreY + half);
  const x0 = Math.max(0, centreX - half);
  const x1 = Math.min(width, centreX + half);

  for (let y = y0; y < y1; y++) {
    const row = targetOffset + (y * width + x0) * channels;
    target.fill(0, row, row + (x1 - x0) * channels);
  }
}
