/**
 * The pooling candidate operations of DARTS: 3×3 max and average pooling
 * with padding 1 (`nn.MaxPool2d(3, stride, padding=1)` and
 * `nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)` in DARTS's
 * `operations.py`).
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { avgPool, maxPool } from "../engine/ops.ts";
import type { ForwardContext } from "./context.ts";
import type { Layer } from "./module.ts";

/** Options of a pooling layer; `padding` is added on every side, in pixels. */
export interface PoolingOptions {
  kernel: number;
  stride: number;
  padding: number;
}

/** Max pooling; padded positions never win. */
export class MaxPool implements Layer {
  readonly options: PoolingOptions;

  constructor(options: PoolingOptions) {
    _checkPooling("MaxPool", options);
    this.options = { ...options };
  }

  forward(x: tf.Tensor4D, _context: ForwardContext): tf.Tensor4D {
    return maxPool(x, this.options);
  }
}

/** Average pooling over real pixels only (`count_include_pad=False`). */
export class AvgPool implements Layer {
  readonly options: PoolingOptions;

  constructor(options: PoolingOptions) {
    _checkPooling("AvgPool", options);
    this.options = { ...options };
  }

  forward(x: tf.Tensor4D, _context: ForwardContext): tf.Tensor4D {
    return avgPool(x, { ...this.options, countIncludePad: false });
  }
}

function _checkPooling(layer: string, options: PoolingOptions): void {
  const { kernel, stride, padding } = options;
  // PyTorch requires padding ≤ kernel / 2, so that every window contains a real pixel.
  const valid = Number.isInteger(kernel) && kernel >= 1 && Number.isInteger(stride) &&
    stride >= 1 && Number.isInteger(padding) && padding >= 0 && 2 * padding <= kernel;
  if (!valid) {
    throw new RangeError(
      `Cannot create ${layer} with kernel ${kernel}, stride ${stride}, padding ${padding}: ` +
        "kernel and stride must be integers ≥ 1 and padding an integer in [0, kernel / 2].",
    );
  }
}
