/**
 * A small learnable dataset for training tests: 24×24 grey images of
 * 10 classes, where class c is a bright horizontal bar at rows 2c..2c+1 on
 * seeded noise.
 *
 * @module
 */

import type { Dataset, Split } from "../../data/dataset.ts";
import { Rng } from "../../util/random.ts";

const _SIZE = 24;
const _CLASSES = 10;

/** Returns a dataset with `trainPerClass` and `testPerClass` images of each class. */
export function syntheticDataset(trainPerClass: number, testPerClass: number, seed = 1): Dataset {
  const rng = new Rng(seed);
  const split = (perClass: number): Split => {
    const count = perClass * _CLASSES;
    const images = new Uint8Array(count * _SIZE * _SIZE);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % _CLASSES;
      labels[i] = label;
      for (let pixel = 0; pixel < _SIZE * _SIZE; pixel++) {
        const row = Math.floor(pixel / _SIZE);
        const bar = row === 2 * label + 2 || row === 2 * label + 3;
        images[i * _SIZE * _SIZE + pixel] = bar ? 200 + rng.int(56) : rng.int(80);
      }
    }
    return { images, labels, count };
  };

  return {
    name: "mnist",
    height: _SIZE,
    width: _SIZE,
    channels: 1,
    numClasses: _CLASSES,
    classNames: Array.from({ length: _CLASSES }, (_, c) => `${c}`),
    train: split(trainPerClass),
    test: split(testPerClass),
    mean: [0.2],
    std: [0.25],
    digests: { synthetic: `seed ${seed}` },
  };
}
