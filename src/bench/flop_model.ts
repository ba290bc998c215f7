/**
 * An analytic FLOP count of the search supergraph and of one DARTS mixed
 * operation, from their structure alone (no tfjs), so that tfjs and PyTorch
 * timings convert to GFLOP/s with one model.
 *
 * What is counted, per image, forward:
 * - convolutions: 2·k²·(inChannels / groups)·outChannels per output pixel; a
 *   variational (LRT) convolution counts twice, for the mean and the variance;
 * - elementwise work, one FLOP per output element per arithmetic operation:
 *   ReLU 1; batch norm 5 (mean, subtract, square, mean, scale; 7 with γ and
 *   β); 3×3 pooling 9 per output element; a sum of n tensors n − 1; DARTS
 *   mixing 2 per element per operation (scale, add); VINNAS mixing 5 per
 *   element per operation (θ·o, o², σ²·o², two adds) plus 4 (add ε, square
 *   root, multiply by the noise, add the mean); an LRT convolution 1 per input
 *   element (x²) plus 4 per output element;
 * - global average pooling 1 per element, the classifier 2·in·out.
 * Not counted: noise generation, the KL term (proportional to the parameter
 * count, not to the batch), copies (concat, pad, slice, transposes).
 *
 * A training step counts 3 × forward: the input and the filter gradient of
 * a convolution each cost about one forward pass, and the same factor is
 * applied to the elementwise work.
 *
 * @module
 */

import { type Primitive, PRIMITIVES } from "../search/primitives.ts";
/** Shape of a supergraph benchmark. */
export interface SupergraphShape {
  cells: number;
  initChannels: number;
  batch: number;
  /** Image height and width. */
  size: number;
  inputChannels: number;
  classes: number;
}

/** FLOP of one training step, split by kind. */
export interface StepFlops {
  /** Convolution FLOP of one step (forward, input and filter gradients). */
  convolution: number;
  /** Elementwise FLOP of one step (3 × forward). */
  elementwise: number;
  /** convolution + elementwise. */
  total: number;
}

/** Candidate operations the supergraph computes on every edge ("none" is skipped). */
const _COMPUTED = PRIMITIVES.filter((operation) => operation !== "none");

type _Operation = Primitive;

/** Forward FLOP of one image, accumulated by kind. */
class _Counter {
  convolution = 0;
  elementwise = 0;
  constructor(readonly variational: boolean) {}

  conv(
    inChannels: number,
    outChannels: number,
    kernel: number,
    groups: number,
    inPixels: number,
    outPixels: number,
  ): void {
    const flops = 2 * kernel * kernel * (inChannels / groups) * outChannels * outPixels;
    this.convolution += this.variational ? 2 * flops : flops;
    if (this.variational) this.elementwise += inChannels * inPixels + 4 * outChannels * outPixels;
  }

  add(perElement: number, elements: number): void {
    this.elementwise += perElement * elements;
  }

  batchNorm(channels: number, pixels: number, affine = false): void {
    this.add(affine ? 7 : 5, channels * pixels);
  }
}

/** FLOP of one training step of the DARTS or VINNAS supergraph. */
export function supergraphStepFlops(
  method: "darts" | "vinnas",
  shape: SupergraphShape,
): StepFlops {
  const counter = new _Counter(method === "vinnas");
  const c = shape.initChannels;
  let resolution = shape.size;
  const stemPixels = resolution * resolution;
  counter.conv(shape.inputChannels, 3 * c, 3, 1, stemPixels, stemPixels);
  counter.batchNorm(3 * c, stemPixels, true);

  let previousPrevious = { channels: 3 * c, resolution };
  let previous = { channels: 3 * c, resolution };
  let channels = c;
  for (let index = 0; index < shape.cells; index++) {
    const reduction = index === Math.floor(shape.cells / 3) ||
      index === Math.floor((2 * shape.cells) / 3);
    if (reduction) channels *= 2;
    resolution = previous.resolution;
    const pixels = resolution * resolution;

    // Preprocessing: FactorizedReduce when input 0 has twice the resolution.
    if (previousPrevious.resolution !== resolution) {
      _factorizedReduce(counter, previousPrevious.channels, channels, previousPrevious.resolution);
    } else {
      counter.add(1, previousPrevious.channels * pixels);
      counter.conv(previousPrevious.channels, channels, 1, 1, pixels, pixels);
      counter.batchNorm(channels, pixels);
    }
    counter.add(1, previous.channels * pixels);
    counter.conv(previous.channels, channels, 1, 1, pixels, pixels);
    counter.batchNorm(channels, pixels);

    const outResolution = reduction ? Math.ceil(resolution / 2) : resolution;
    const outPixels = outResolution * outResolution;
    for (let step = 0; step < 4; step++) {
      for (let source = 0; source < 2 + step; source++) {
        const stride = reduction && source < 2 ? 2 : 1;
        for (const operation of _COMPUTED) {
          _operation(
            counter,
            operation,
            channels,
            stride === 1 ? outResolution : resolution,
            stride,
          );
        }
        _mix(counter, method, _COMPUTED.length, channels * outPixels);
      }
      counter.add(1 + step, channels * outPixels);
    }

    previousPrevious = previous;
    previous = { channels: 4 * channels, resolution: outResolution };
  }

  counter.add(1, previous.channels * previous.resolution ** 2);
  counter.add(2 * shape.classes, previous.channels);
  return _step(counter, shape.batch);
}

/**
 * FLOP of one training step of the mixed-operation benchmark: the eight
 * DARTS candidates (with "none") at stride 1 on `channels` × `size` × `size`,
 * each scaled by its softmax weight and summed, then mean(square(·)).
 */
export function mixedOperationStepFlops(
  channels: number,
  size: number,
  batch: number,
): StepFlops {
  const counter = new _Counter(false);
  const elements = channels * size * size;
  for (const operation of PRIMITIVES) {
    _operation(counter, operation, channels, size, 1);
  }
  counter.add(8 + 7 + 2, elements);
  return _step(counter, batch);
}

function _step(counter: _Counter, batch: number): StepFlops {
  const convolution = 3 * batch * counter.convolution;
  const elementwise = 3 * batch * counter.elementwise;
  return { convolution, elementwise, total: convolution + elementwise };
}

/** One candidate operation on a `channels` × `resolution`² input with `stride`. */
function _operation(
  counter: _Counter,
  operation: _Operation,
  channels: number,
  resolution: number,
  stride: number,
): void {
  const inPixels = resolution * resolution;
  const out = Math.ceil(resolution / stride);
  const outPixels = out * out;

  switch (operation) {
    case "none":
      return;
    case "max_pool_3x3":
    case "avg_pool_3x3":
      counter.add(operation === "avg_pool_3x3" ? 10 : 9, channels * outPixels);
      counter.batchNorm(channels, outPixels);
      return;
    case "skip_connect":
      if (stride === 2) _factorizedReduce(counter, channels, channels, resolution);
      return;
    case "sep_conv_3x3":
    case "sep_conv_5x5": {
      const kernel = operation === "sep_conv_3x3" ? 3 : 5;
      counter.add(1, channels * inPixels);
      counter.conv(channels, channels, kernel, channels, inPixels, outPixels);
      counter.conv(channels, channels, 1, 1, outPixels, outPixels);
      counter.batchNorm(channels, outPixels);
      counter.add(1, channels * outPixels);
      counter.conv(channels, channels, kernel, channels, outPixels, outPixels);
      counter.conv(channels, channels, 1, 1, outPixels, outPixels);
      counter.batchNorm(channels, outPixels);
      return;
    }
    case "dil_conv_3x3":
    case "dil_conv_5x5": {
      const kernel = operation === "dil_conv_3x3" ? 3 : 5;
      counter.add(1, channels * inPixels);
      counter.conv(channels, channels, kernel, channels, inPixels, outPixels);
      counter.conv(channels, channels, 1, 1, outPixels, outPixels);
      counter.batchNorm(channels, outPixels);
      return;
    }
  }
}

/** ReLU, two 1×1 stride-2 convolutions to half the channels each, BN. */
function _factorizedReduce(
  counter: _Counter,
  inChannels: number,
  outChannels: number,
  resolution: number,
): void {
  const inPixels = resolution * resolution;
  const out = Math.ceil(resolution / 2);
  counter.add(1, inChannels * inPixels);
  for (let half = 0; half < 2; half++) {
    counter.conv(inChannels, outChannels / 2, 1, 1, inPixels, out * out);
  }
  counter.batchNorm(outChannels, out * out);
}

/** Mixing of `operations` outputs of `elements` elements on one edge. */
function _mix(
  counter: _Counter,
  method: "darts" | "vinnas",
  operations: number,
  elements: number,
): void {
  if (method === "darts") counter.add(2 * operations, elements);
  else counter.add(5 * operations + 4, elements);
}
