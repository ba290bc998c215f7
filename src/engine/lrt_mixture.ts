/**
 * A weighted sum of tensors with Gaussian weights z_k ~ N(θ_k, σ²_k) under
 * the local reparameterisation trick, as one differentiable operation:
 * y = Σ θ_k·o_k + ε·√(Σ σ²_k·o_k² + eps), ε ~ N(0, 1) of the outputs' shape.
 * VINNAS mixes the candidate operations of an edge this way.
 *
 * The explicit gradient keeps the outputs o_k and one tensor
 * r = ε / √(Σ σ²_k·o_k² + eps) alive until the backward pass, against about
 * 2K + 6 output-sized tensors for tfjs's automatic gradient. With
 * g = dy·r (twice the gradient of the variance):
 * - do_k = θ_k·dy + σ²_k·o_k·g
 * - dθ_k = Σ dy·o_k
 * - dσ²_k = ½ Σ o_k²·g
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { lrtSample } from "./lrt_sample.ts";
import { LRT_MIXTURE_KERNELS, type LrtMixtureAttrs } from "./native/mixture_kernels.ts";

/**
 * Draws the mixture of `outputs` (each `[batch, height, width, channels]`)
 * with weight means `means` and weight variances `variances` (scalars, one
 * per output). `drawSeed` returns the seed of ε ~ N(0, 1) (called once);
 * `varianceEpsilon` is added to the variance before the square root.
 */
export function lrtMixture(
  outputs: tf.Tensor4D[],
  means: tf.Scalar[],
  variances: tf.Scalar[],
  drawSeed: () => number,
  varianceEpsilon: number,
): tf.Tensor4D {
  const count = outputs.length;
  if (count === 0 || means.length !== count || variances.length !== count) {
    throw new RangeError(
      `Cannot mix ${count} outputs with ${means.length} means and ${variances.length} ` +
        "variances: pass one mean and one variance per output, and at least one output.",
    );
  }

  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const tensors = args.slice(0, 3 * count) as tf.Tensor[];
    const save = args[3 * count] as tf.GradSaveFunc;
    const os = tensors.slice(0, count) as tf.Tensor4D[];
    const thetas = tensors.slice(count, 2 * count);
    const sigma2s = tensors.slice(2 * count);

    const native = _native(os, [...thetas, ...sigma2s]);
    const named = () => {
      const inputs: tf.NamedTensorMap = {};
      os.forEach((o, k) => {
        inputs[`o${k}`] = o;
        inputs[`t${k}`] = thetas[k];
        inputs[`s${k}`] = sigma2s[k];
      });
      return inputs;
    };

    let y: tf.Tensor;
    let ratio: tf.Tensor;
    if (native) {
      // One WebAssembly pass on wasm (native/mixture_kernels.ts).
      const attrs: LrtMixtureAttrs = { count, seed: drawSeed(), varianceEpsilon };
      [y, ratio] = tf.engine().runKernel(
        LRT_MIXTURE_KERNELS.forward,
        named(),
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    } else {
      const mean = _sum(os.map((o, k) => tf.mul(o, thetas[k])));
      const variance = _sum(os.map((o, k) => tf.mul(tf.square(o), sigma2s[k])));
      [y, ratio] = lrtSample(mean, variance, drawSeed(), varianceEpsilon);
    }
    save([...os, ...thetas, ...sigma2s, ratio]);

    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedOutputs = saved.slice(0, count);
        const savedThetas = saved.slice(count, 2 * count);
        const savedSigma2s = saved.slice(2 * count, 3 * count);
        if (native) {
          const inputs: tf.NamedTensorMap = { dy, ratio: saved[3 * count] };
          savedOutputs.forEach((o, k) => {
            inputs[`o${k}`] = o;
            inputs[`t${k}`] = savedThetas[k];
            inputs[`s${k}`] = savedSigma2s[k];
          });
          const attrs: LrtMixtureAttrs = { count, seed: 0, varianceEpsilon };
          return tf.engine().runKernel(
            LRT_MIXTURE_KERNELS.gradient,
            inputs,
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        }

        const g = tf.mul(dy, saved[3 * count]);

        const dOutputs: tf.Tensor[] = [];
        const dThetas: tf.Tensor[] = [];
        const dSigma2s: tf.Tensor[] = [];
        savedOutputs.forEach((o, k) => {
          const og = tf.mul(o, g);
          dOutputs.push(tf.add(tf.mul(dy, savedThetas[k]), tf.mul(og, savedSigma2s[k])));
          dThetas.push(tf.sum(tf.mul(dy, o)));
          dSigma2s.push(tf.mul(tf.sum(tf.mul(o, og)), 0.5));
        });
        return [...dOutputs, ...dThetas, ...dSigma2s];
      },
    };
  });

  return run(...outputs, ...means, ...variances) as tf.Tensor4D;
}

function _sum(tensors: tf.Tensor[]): tf.Tensor {
  return tensors.length === 1 ? tensors[0] : tf.addN(tensors);
}

/** Tests whether the current backend mixes these outputs with the WebAssembly kernels. */
function _native(outputs: tf.Tensor[], weights: tf.Tensor[]): boolean {
  return tf.getKernel(LRT_MIXTURE_KERNELS.forward, tf.getBackend()) !== undefined &&
    outputs.every((o) => o.dtype === "float32" && tf.util.arraysEqual(o.shape, outputs[0].shape)) &&
    weights.every((w) => w.dtype === "float32" && w.size === 1);
}
