/**
 * Synthetic search data for the search tests: small images whose class
 * decides which quadrant is bright, plus seeded noise, so a supergraph can
 * learn them within a few steps.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../src/data/batches.ts";
import type { SearchBatchSource, SearchSources } from "../src/search/search_data.ts";
import { Rng } from "../src/util/random.ts";

/** Options of {@link syntheticSources}. */
export interface SyntheticOptions {
  size: number;
  channels: number;
  classes: number;
  /** Examples per half. */
  examples: number;
  seed: number;
  /** Replaces the images of this epoch's training batches with NaN. */
  nanEpoch?: number;
}

/** Returns train and valid halves of synthetic quadrant images. */
export function syntheticSources(options: SyntheticOptions): SearchSources {
  return {
    train: _source(options, options.seed, options.nanEpoch),
    valid: _source(options, options.seed + 1, undefined),
    inputChannels: options.channels,
    classes: options.classes,
  };
}

function _source(options: SyntheticOptions, seed: number, nanEpoch?: number): SearchBatchSource {
  const { size, channels, classes, examples } = options;
  const pixels = size * size * channels;
  const rng = new Rng(seed);
  const images = new Float32Array(examples * pixels);
  const labels = new Int32Array(examples);
  const half = size / 2;
  for (let i = 0; i < examples; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const quadrant = (y < half ? 0 : 2) + (x < half ? 0 : 1);
        for (let c = 0; c < channels; c++) {
          const bright = quadrant === label % 4 ? 1 : 0;
          images[i * pixels + (y * size + x) * channels + c] = bright + 0.3 * rng.normal();
        }
      }
    }
  }

  return {
    size: examples,
    *batches(epoch: number, batchSize: number, shuffle: boolean): Generator<Batch> {
      const order = Array.from({ length: examples }, (_, i) => i);
      if (shuffle) {
        const shuffler = new Rng(seed * 1000 + epoch);
        for (let i = order.length - 1; i > 0; i--) {
          const j = shuffler.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      for (let start = 0; start < examples; start += batchSize) {
        const indices = order.slice(start, start + batchSize);
        const x = new Float32Array(indices.length * pixels);
        indices.forEach((index, row) =>
          x.set(images.subarray(index * pixels, (index + 1) * pixels), row * pixels)
        );
        if (shuffle && epoch === nanEpoch) x.fill(Number.NaN);
        yield {
          x: tf.tensor4d(x, [indices.length, size, size, channels]),
          y: tf.tensor1d(indices.map((index) => labels[index]), "int32"),
        };
      }
    },
  };
}
