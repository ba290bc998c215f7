/**
 * Optimizers with explicit, serialisable state: SGD with momentum (the
 * weight optimizer of DARTS search and evaluation) and Adam (the
 * architecture optimizer). Both follow PyTorch's update rules so runs are
 * comparable with the reference implementations:
 * - SGD: g ← g + λθ; v ← μv + g; θ ← θ − lr·v (no dampening, no Nesterov).
 * - Adam: g ← g + λθ (L2 weight decay, not AdamW); bias-corrected moments.
 *
 * Gradients are keyed by tfjs variable name, as `tf.variableGrads` returns
 * them. State is keyed by parameter-store name, which stays the same across
 * processes, so a checkpoint restores into a freshly built network.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParameterEntry } from "../nn/parameter_store.ts";

/** Serialisable optimizer state: step count and per-variable slot tensors. */
export interface OptimizerState {
  kind: "sgd" | "adam";
  step: number;
  /** parameter-store name → slot name → values (flat, float32). */
  slots: Record<string, Record<string, Float32Array>>;
}

/** Common interface of the optimizers. */
export interface Optimizer {
  /** Applies one update with the given learning rate; does not dispose `gradients`. */
  apply(gradients: tf.NamedTensorMap, learningRate: number): void;
  /** Copies the state out of the backend (async, because webgpu cannot read synchronously). */
  getState(): Promise<OptimizerState>;
  /** Replaces the state with `state` (from a checkpoint). */
  setState(state: OptimizerState): void;
  /** Frees the slot tensors. */
  dispose(): void;
}

/** Options of SGD with momentum. Weight decay skips entries whose `weightDecay` is false. */
export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

/** SGD with momentum and L2 weight decay over a fixed list of variables. */
export class Sgd implements Optimizer {
  private readonly entries: Map<string, ParameterEntry>;
  private readonly options: SgdOptions;
  private velocity = new Map<string, tf.Tensor>();
  private step = 0;

  constructor(entries: ParameterEntry[], options: SgdOptions) {
    this.entries = new Map(entries.map((entry) => [entry.name, entry]));
    this.options = options;
  }

  apply(gradients: tf.NamedTensorMap, learningRate: number): void {
    this.step += 1;

    for (const [name, entry] of this.entries) {
      const variable = entry.variable;
      const gradient = gradients[variable.name];
      if (gradient === undefined) continue;

      const decay = entry.weightDecay ? this.options.weightDecay : 0;
      const previous = this.velocity.get(name);
      const next = tf.tidy(() => {
        const decayed = decay === 0 ? gradient : gradient.add(variable.mul(decay));
        // The first velocity is a copy: aliasing the caller's gradient would
        // leave the optimizer holding a tensor the caller disposes.
        const velocity = previous === undefined
          ? decayed.clone()
          : previous.mul(this.options.momentum).add(decayed);
        variable.assign(variable.sub(velocity.mul(learningRate)));
        return this.options.momentum === 0 ? tf.zerosLike(velocity) : velocity;
      });

      previous?.dispose();
      this.velocity.set(name, next);
    }
  }

  async getState(): Promise<OptimizerState> {
    return { kind: "sgd", step: this.step, slots: await _readSlots({ velocity: this.velocity }) };
  }

  setState(state: OptimizerState): void {
    _expectKind(state, "sgd");
    this.dispose();
    this.step = state.step;
    this.velocity = _writeSlots(state, "velocity", this.entries);
  }

  dispose(): void {
    for (const tensor of this.velocity.values()) tensor.dispose();
    this.velocity.clear();
  }
}

/** Options of Adam. */
export interface AdamOptions {
  beta1: number;
  beta2: number;
  weightDecay: number;
  /** @default 1e-8 */
  epsilon?: number;
}

/** Adam with L2 weight decay added to the gradient, as `torch.optim.Adam`. */
export class Adam implements Optimizer {
  private readonly entries: Map<string, ParameterEntry>;
  private readonly options: AdamOptions;
  private firstMoment = new Map<string, tf.Tensor>();
  private secondMoment = new Map<string, tf.Tensor>();
  private step = 0;

  constructor(entries: ParameterEntry[], options: AdamOptions) {
    this.entries = new Map(entries.map((entry) => [entry.name, entry]));
    this.options = options;
  }

  apply(gradients: tf.NamedTensorMap, learningRate: number): void {
    this.step += 1;
    const { beta1, beta2, weightDecay } = this.options;
    const epsilon = this.options.epsilon ?? 1e-8;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;

    for (const [name, entry] of this.entries) {
      const variable = entry.variable;
      const gradient = gradients[variable.name];
      if (gradient === undefined) continue;

      const previousM = this.firstMoment.get(name);
      const previousV = this.secondMoment.get(name);
      const [m, v] = tf.tidy(() => {
        const g = weightDecay === 0 ? gradient : gradient.add(variable.mul(weightDecay));
        const m = (previousM ?? tf.zerosLike(g)).mul(beta1).add(g.mul(1 - beta1));
        const v = (previousV ?? tf.zerosLike(g)).mul(beta2).add(g.square().mul(1 - beta2));
        const denominator = v.div(correction2).sqrt().add(epsilon);
        variable.assign(variable.sub(m.div(correction1).div(denominator).mul(learningRate)));
        return [m, v];
      });

      previousM?.dispose();
      previousV?.dispose();
      this.firstMoment.set(name, m);
      this.secondMoment.set(name, v);
    }
  }

  async getState(): Promise<OptimizerState> {
    const slots = await _readSlots({ m: this.firstMoment, v: this.secondMoment });
    return { kind: "adam", step: this.step, slots };
  }

  setState(state: OptimizerState): void {
    _expectKind(state, "adam");
    this.dispose();
    this.step = state.step;
    this.firstMoment = _writeSlots(state, "m", this.entries);
    this.secondMoment = _writeSlots(state, "v", this.entries);
  }

  dispose(): void {
    for (const tensor of [...this.firstMoment.values(), ...this.secondMoment.values()]) {
      tensor.dispose();
    }
    this.firstMoment.clear();
    this.secondMoment.clear();
  }
}

async function _readSlots(
  slotMaps: Record<string, Map<string, tf.Tensor>>,
): Promise<Record<string, Record<string, Float32Array>>> {
  const slots: Record<string, Record<string, Float32Array>> = {};
  for (const [slot, tensors] of Object.entries(slotMaps)) {
    for (const [name, tensor] of tensors) {
      slots[name] ??= {};
      slots[name][slot] = (await tensor.data()) as Float32Array;
    }
  }
  return slots;
}

function _writeSlots(
  state: OptimizerState,
  slot: string,
  entries: Map<string, ParameterEntry>,
): Map<string, tf.Tensor> {
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, slots] of Object.entries(state.slots)) {
    const variable = entries.get(name)?.variable;
    const values = slots[slot];
    if (variable === undefined || values === undefined) {
      throw new Error(
        `Cannot restore optimizer slot "${slot}" of "${name}": the variable is not optimized ` +
          `by this optimizer. The checkpoint was written by a different network; delete it to restart.`,
      );
    }
    tensors.set(name, tf.tensor(values, variable.shape, "float32"));
  }
  return tensors;
}

function _expectKind(state: OptimizerState, kind: OptimizerState["kind"]): void {
  if (state.kind !== kind) {
    throw new Error(`Cannot restore a ${state.kind} optimizer state into ${kind}.`);
  }
}
