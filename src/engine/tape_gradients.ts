/**
 * Reverse-mode gradients over tfjs's tape in time linear in the tape's size.
 *
 * tfjs-core 4.22.0's `Engine.gradients` first keeps the tape nodes that lie
 * between the inputs xs and the output y. For every input of every node it
 * repeats the same "is this tensor a function of xs?" lookup once per x, so
 * the pass costs (tape inputs) × (number of xs). A VINNAS supergraph step
 * differentiates about 1 200 variables (θ and log σ² of every variational
 * layer, and the relevances) through a tape of about 36 000 nodes. There
 * the pass took 235 ms of a 1.9 s step on wasm (V8 CPU profile), and less
 * in a DARTS step, which has about a quarter as many variables. This
 * replacement keeps the same contract (the same nodes, gradients, errors,
 * tidy scopes and disposal of saved tensors) and looks each tensor up once.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** A node of tfjs's tape, as `Engine.runKernelFunc` records it. */
interface _TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: ((dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>) | null;
  saved?: tf.Tensor[];
}

/** The engine members the replacement uses; they exist on tfjs-core 4.22.0's Engine. */
interface _Engine {
  gradients: _Gradients;
  state: { activeTape: _TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

type _Gradients = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => { value: tf.Tensor; grads: Array<tf.Tensor | undefined> };

/** Marks the function so that installing twice is a no-op. */
const _LINEAR_TAPE = Symbol("vinnas-linear-tape");

/** tfjs's own method, kept for {@link uninstallLinearTapeGradients}. */
let _original: _Gradients | null = null;

/**
 * Replaces the global engine's `gradients` with the linear-time version.
 * Every tfjs gradient entry point (`tf.grad`, `tf.grads`, `tf.valueAndGrads`,
 * `tf.variableGrads`, optimizers) goes through it. Safe to call again.
 */
export function installLinearTapeGradients(): void {
  const engine = tf.engine() as unknown as _Engine;
  const current = engine.gradients as _Gradients & { [_LINEAR_TAPE]?: true };
  if (current[_LINEAR_TAPE]) return;

  const gradients = function (
    this: _Engine,
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients = false,
  ) {
    return _gradients(this, f, xs, dy, allowNoGradients);
  } as _Gradients & { [_LINEAR_TAPE]?: true };
  gradients[_LINEAR_TAPE] = true;
  _original = current;
  engine.gradients = gradients;
}

/** Puts tfjs's own `gradients` back (tests compare the two). */
export function uninstallLinearTapeGradients(): void {
  if (_original === null) return;
  (tf.engine() as unknown as _Engine).gradients = _original;
  _original = null;
}

function _gradients(
  engine: _Engine,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor | undefined,
  allowNoGradients: boolean,
): { value: tf.Tensor; grads: Array<tf.Tensor | undefined> } {
  if (xs.length === 0) {
    throw new Error("Cannot compute gradients with respect to no tensors: pass at least one x.");
  }
  if (dy != null && dy.dtype !== "float32") {
    throw new Error(`Cannot start backpropagation from a ${dy.dtype} dy: pass a float32 one.`);
  }

  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy("forward", f),
  );
  if (!(y instanceof tf.Tensor)) {
    throw new Error(`Cannot differentiate f: it returned ${typeof y}, not a tensor.`);
  }

  const tape = engine.state.activeTape ?? [];
  const path = _nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && path.length === 0) {
    throw new Error(
      "Cannot differentiate f's output with respect to the given tensors: no operation " +
        "recorded inside f leads from them to the output. Run every operation that uses " +
        "them inside f.",
    );
  }

  return engine.tidy("backward", () => {
    const accumulated = new Map<number, tf.Tensor>();
    accumulated.set(y.id, dy ?? tf.ones(y.shape));
    _backpropagate(engine, path, accumulated);
    const grads = xs.map((x) => accumulated.get(x.id));

    // At depth 0 no outer gradient needs this tape: free what it saved.
    if (engine.state.gradientDepth === 0) {
      for (const node of tape) for (const tensor of node.saved ?? []) tensor.dispose();
      engine.state.activeTape = null;
    }
    return { value: y, grads } as unknown as tf.TensorContainer;
  }) as unknown as { value: tf.Tensor; grads: Array<tf.Tensor | undefined> };
}

/**
 * Returns the nodes that depend on some x and lead to y, in tape order, each
 * with only the inputs that depend on some x (the others get no gradient).
 */
function _nodesFromXsToY(tape: _TapeNode[], xs: tf.Tensor[], y: tf.Tensor): _TapeNode[] {
  // Forward: a node depends on xs when any input does; then so do its outputs.
  const fromXs = new Set<number>(xs.map((x) => x.id));
  const dependsOnXs = new Uint8Array(tape.length);
  tape.forEach((node, i) => {
    for (const name in node.inputs) {
      if (!fromXs.has(node.inputs[name].id)) continue;
      dependsOnXs[i] = 1;
      for (const output of node.outputs) fromXs.add(output.id);
      break;
    }
  });

  // Backward: a node leads to y when any output does; then so do its inputs.
  const toY = new Set<number>([y.id]);
  const leadsToY = new Uint8Array(tape.length);
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!node.outputs.some((output) => toY.has(output.id))) continue;
    leadsToY[i] = 1;
    for (const name in node.inputs) toY.add(node.inputs[name].id);
  }

  const path: _TapeNode[] = [];
  tape.forEach((node, i) => {
    if (dependsOnXs[i] === 0 || leadsToY[i] === 0) return;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) {
      if (fromXs.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    }
    path.push({ ...node, inputs });
  });
  return path;
}

/** Walks `path` backwards, adding each node's input gradients into `accumulated`. */
function _backpropagate(
  engine: _Engine,
  path: _TapeNode[],
  accumulated: Map<number, tf.Tensor>,
): void {
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    if (node.gradient == null) {
      throw new Error(
        `Cannot differentiate through ${node.kernelName}: it has no registered gradient.`,
      );
    }
    const dys = node.outputs.map((output) => accumulated.get(output.id) ?? null);
    const inputGradients = node.gradient(dys);

    for (const name in node.inputs) {
      if (!(name in inputGradients)) {
        throw new Error(
          `Cannot differentiate ${node.kernelName} with respect to its input "${name}": its ` +
            `gradient returns only [${Object.keys(inputGradients)}].`,
        );
      }
      const dx = engine.tidy(() => inputGradients[name]());
      const x = node.inputs[name];
      if (dx.dtype !== "float32") {
        throw new Error(
          `The gradient of ${node.kernelName} for its input "${name}" is ${dx.dtype}; ` +
            "gradients must be float32.",
        );
      }
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `The gradient of ${node.kernelName} for its input "${name}" has shape [${dx.shape}], ` +
            `but the input has shape [${x.shape}].`,
        );
      }

      const previous = accumulated.get(x.id);
      if (previous === undefined) {
        accumulated.set(x.id, dx);
      } else {
        accumulated.set(x.id, tf.add(previous, dx));
        previous.dispose();
      }
    }
  }
}
