import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ParameterStore } from "../nn/parameter_store.ts";
import { Adam, Sgd } from "./optimizer.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

function store(values: number[], weightDecay = true): ParameterStore {
  const parameters = new ParameterStore();
  parameters.add("w", tf.tensor1d(values), { role: "weight", weightDecay });
  return parameters;
}

async function values(parameters: ParameterStore): Promise<number[]> {
  return Array.from(await parameters.entries()[0].variable.data());
}

// Reference values computed by hand with PyTorch's rules:
// SGD: g' = g + λθ; v = μv + g'; θ -= lr·v. Tolerance 1e-6 (float32).
Deno.test("Sgd follows torch.optim.SGD with momentum and decay", async () => {
  const parameters = store([1, -2]);
  const optimizer = new Sgd(parameters.entries(), { momentum: 0.9, weightDecay: 0.1 });
  const name = parameters.entries()[0].variable.name;

  const gradient = tf.tensor1d([0.5, 0.5]);
  optimizer.apply({ [name]: gradient }, 0.1);
  // v1 = g + 0.1θ = [0.6, 0.3]; θ1 = θ − 0.1·v1 = [0.94, −2.03]
  const first = await values(parameters);
  assert.ok(Math.abs(first[0] - 0.94) < 1e-6, `${first[0]}`);
  assert.ok(Math.abs(first[1] + 2.03) < 1e-6, `${first[1]}`);

  optimizer.apply({ [name]: gradient }, 0.1);
  // v2 = 0.9·v1 + g + 0.1θ1 = [0.54 + 0.594, 0.27 + 0.297]; θ2 = θ1 − 0.1·v2
  const second = await values(parameters);
  assert.ok(Math.abs(second[0] - (0.94 - 0.1 * 1.134)) < 1e-6, `${second[0]}`);
  assert.ok(Math.abs(second[1] - (-2.03 - 0.1 * 0.567)) < 1e-6, `${second[1]}`);

  gradient.dispose();
  optimizer.dispose();
  parameters.dispose();
});

Deno.test("Sgd keeps no alias of the caller's gradient", async () => {
  const parameters = store([1], false);
  const optimizer = new Sgd(parameters.entries(), { momentum: 0.9, weightDecay: 0 });
  const name = parameters.entries()[0].variable.name;

  const gradient = tf.tensor1d([1]);
  optimizer.apply({ [name]: gradient }, 0.1);
  gradient.dispose();

  const next = tf.tensor1d([1]);
  optimizer.apply({ [name]: next }, 0.1);
  // v2 = 0.9·1 + 1 = 1.9; θ = 1 − 0.1 − 0.19 = 0.71
  const [value] = await values(parameters);
  assert.ok(Math.abs(value - 0.71) < 1e-6, `${value}`);

  next.dispose();
  optimizer.dispose();
  parameters.dispose();
});

Deno.test("Adam resumes identically from its state", async () => {
  const options = { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 };
  const original = store([1, 2]);
  const copy = store([1, 2]);
  const first = new Adam(original.entries(), options);
  const gradient = tf.tensor1d([0.1, -0.2]);

  first.apply({ [original.entries()[0].variable.name]: gradient }, 3e-4);
  copy.entries()[0].variable.assign(original.entries()[0].variable);
  const state = await first.getState();
  const second = new Adam(copy.entries(), options);
  second.setState(state);

  first.apply({ [original.entries()[0].variable.name]: gradient }, 3e-4);
  second.apply({ [copy.entries()[0].variable.name]: gradient }, 3e-4);

  assert.equal(state.step, 1);
  assert.deepEqual(Object.keys(state.slots), ["w"]);
  assert.deepEqual(await values(copy), await values(original));

  gradient.dispose();
  first.dispose();
  second.dispose();
  original.dispose();
  copy.dispose();
});
