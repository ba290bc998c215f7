import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../engine/backend.ts";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { plainConvolutions } from "../nn/conv.ts";
import { countParameters } from "../nn/count_parameters.ts";
import { createVariationalConvolutions } from "../nn/variational_conv.ts";
import { PUBLISHED_GENOTYPES } from "../search/published.ts";
import { dropPath } from "./drop_path.ts";
import { EvaluationNetwork, type EvaluationNetworkOptions } from "./network.ts";

await initBackend("wasm");

/** One network described by the PyTorch re-implementation of DARTS's NetworkCIFAR. */
interface _PyTorchConfiguration {
  name: string;
  genotype: string;
  channels: number;
  layers: number;
  classes: number;
  inputShape: [number, number, number];
  parameters: number;
  auxiliaryParameters: number;
  macs: number;
}

// Written by tests/fixtures/pytorch/darts_network.py with Debian's python3-torch.
const _FIXTURE = JSON.parse(
  await Deno.readTextFile(
    new URL("../../tests/fixtures/pytorch/darts_network.json", import.meta.url),
  ),
) as { configurations: _PyTorchConfiguration[] };

function _smallNetwork(overrides: Partial<EvaluationNetworkOptions> = {}): EvaluationNetwork {
  return new EvaluationNetwork({
    genotype: PUBLISHED_GENOTYPES.DARTS_V2.genotype,
    cells: 5,
    initChannels: 8,
    numClasses: 10,
    inputShape: [28, 28, 1],
    auxiliary: true,
    factory: plainConvolutions,
    seed: 0,
    ...overrides,
  });
}

function _auxiliaryParameterCount(network: EvaluationNetwork): number {
  return network.store.entries((entry) => entry.auxiliary && entry.counted)
    .reduce((sum, entry) => sum + entry.variable.size, 0);
}

Deno.test("DARTS_V2 at 20 cells and 36 channels has 3,349,342 parameters", async () => {
  const before = tf.memory().numTensors;
  const network = new EvaluationNetwork({
    genotype: PUBLISHED_GENOTYPES.DARTS_V2.genotype,
    cells: 20,
    initChannels: 36,
    numClasses: 10,
    inputShape: [32, 32, 3],
    auxiliary: true,
    factory: plainConvolutions,
    seed: 0,
  });

  const counts = await countParameters(network.store);
  network.dispose();

  // DARTS prints "param size = 3.349342MB" and its README rounds it to 3.3 M.
  assert.equal(counts.total, 3_349_342);
  assert.equal(counts.nonZero, 3_349_342);
  assert.equal(tf.memory().numTensors, before);
});

for (const configuration of _FIXTURE.configurations) {
  Deno.test(`network matches PyTorch for ${configuration.name}`, async () => {
    const before = tf.memory().numTensors;
    const network = new EvaluationNetwork({
      genotype: PUBLISHED_GENOTYPES[configuration.genotype].genotype,
      cells: configuration.layers,
      initChannels: configuration.channels,
      numClasses: configuration.classes,
      inputShape: configuration.inputShape,
      auxiliary: true,
      factory: plainConvolutions,
      seed: 0,
    });

    const counts = await countParameters(network.store);
    const macs = await network.countMultiplyAccumulates();
    const auxiliary = _auxiliaryParameterCount(network);
    network.dispose();

    // Exact equality: both sides count integers.
    assert.equal(counts.total, configuration.parameters, "parameters");
    assert.equal(auxiliary, configuration.auxiliaryParameters, "auxiliary head parameters");
    assert.equal(macs.total, configuration.macs, "multiply-accumulates per image");
    assert.equal(macs.nonZero, configuration.macs, "plain layers have no pruned MACs");
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
  });
}

Deno.test("network output shapes on MNIST and CIFAR inputs", () => {
  const before = tf.memory().numTensors;

  for (const inputShape of [[28, 28, 1], [32, 32, 3]] as const) {
    const network = _smallNetwork({ inputShape });
    const x = tf.randomNormal([3, ...inputShape], 0, 1, "float32", 1) as tf.Tensor4D;

    const training = forwardContext(true, new NoiseSource(1));
    training.dropPathProbability = 0.2;
    const trained = network.forward(x, training);
    const inference = network.forward(x, forwardContext(false, new NoiseSource(1)));

    assert.deepEqual(trained.logits.shape, [3, 10], `logits for ${inputShape}`);
    assert.deepEqual(trained.auxiliaryLogits?.shape, [3, 10], `auxiliary logits for ${inputShape}`);
    assert.deepEqual(inference.logits.shape, [3, 10]);
    assert.equal(inference.auxiliaryLogits, null, "the auxiliary head runs only in training");

    for (const tensor of [x, trained.logits, trained.auxiliaryLogits, inference.logits]) {
      tensor?.dispose();
    }
    network.dispose();
  }

  assert.equal(tf.memory().numTensors, before);
});

Deno.test("auxiliary head pools 7×7 and 8×8 maps to 2×2", () => {
  const mnist = _smallNetwork({ inputShape: [28, 28, 1] });
  const cifar = _smallNetwork({ inputShape: [32, 32, 3] });

  // 28 → 14 → 7 after two reductions: stride 2; 32 → 8: stride 3 as in DARTS.
  assert.equal(mnist.auxiliaryPoolStride, 2);
  assert.equal(cifar.auxiliaryPoolStride, 3);
  mnist.dispose();
  cifar.dispose();
});

Deno.test("auxiliary head rejects maps below 6×6", () => {
  assert.throws(
    () => _smallNetwork({ inputShape: [16, 16, 1] }),
    /auxiliary head on a 4×4 feature map: it needs at least 6×6.*auxiliaryWeight to 0/,
  );

  const network = _smallNetwork({ inputShape: [16, 16, 1], auxiliary: false });
  assert.equal(network.auxiliaryPoolStride, null);
  network.dispose();
});

Deno.test("network rejects too few cells", () => {
  assert.throws(() => _smallNetwork({ cells: 2 }), /with 2 cells: expected an integer ≥ 3/);
});

Deno.test("dropPath drops whole examples and rescales", async () => {
  const before = tf.memory().numTensors;
  const x = tf.ones([2000, 2, 2, 3]) as tf.Tensor4D;

  const dropped = dropPath(x, 0.25, new NoiseSource(7));
  const values = await dropped.data();
  const repeat = dropPath(x, 0.25, new NoiseSource(7));
  const repeated = await repeat.data();

  let kept = 0;
  for (let example = 0; example < 2000; example++) {
    const block = values.subarray(example * 12, (example + 1) * 12);
    // Each example is all 0 or all 1/(1 − 0.25) = 4/3.
    const value = block[0];
    assert.ok(block.every((v) => v === value), `example ${example} is partly dropped`);
    assert.ok(value === 0 || Math.abs(value - 4 / 3) < 1e-6, `example ${example} value ${value}`);
    if (value !== 0) kept += 1;
  }
  // Binomial(2000, 0.75): standard deviation ≈ 19.4, so ±100 is over 5 deviations.
  assert.ok(Math.abs(kept - 1500) < 100, `${kept} of 2000 kept, expected about 1500`);
  assert.deepEqual(repeated, values, "the same noise seed drops the same examples");
  assert.equal(dropPath(x, 0, new NoiseSource(7)), x, "probability 0 returns the input");
  assert.throws(() => dropPath(x, 1, new NoiseSource(7)), /expected a value in \[0, 1\)/);

  tf.dispose([x, dropped, repeat]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("non-zero counts follow crafted log α", async () => {
  const before = tf.memory().numTensors;
  const network = _smallNetwork({
    factory: createVariationalConvolutions({ seed: 3 }),
    auxiliary: false,
  });
  // θ = 0.1 everywhere gives log α = −10 − log(0.01) ≈ −5.4, so every weight is kept.
  for (const pair of network.store.variationalPairs("weight")) {
    tf.tidy(() => pair.theta.assign(tf.fill(pair.theta.shape, 0.1)));
  }
  const dense = await countParameters(network.store);
  const denseMacs = await network.countMultiplyAccumulates();

  // Prune the whole stem kernel [3, 3, 1, 24]: θ = 0.01 and log σ² = 0 give
  // log α = −log(1e-4 + 1e-8) ≈ 9.2 > 3.
  const stem = network.store.variationalPairs("weight").find((pair) => pair.name === "stem.conv");
  assert.ok(stem !== undefined, "the stem convolution is variational");
  tf.tidy(() => {
    stem.theta.assign(tf.fill(stem.theta.shape, 0.01));
    stem.logSigma2.assign(tf.zeros(stem.logSigma2.shape));
  });

  const pruned = await countParameters(network.store, { threshold: 3 });
  const prunedMacs = await network.countMultiplyAccumulates(3);
  network.dispose();

  // The stem has 3·3·1·24 = 216 weights, each used at 28·28 positions.
  assert.equal(dense.nonZero, dense.total, "log α ≈ −5.4 keeps every weight");
  assert.equal(pruned.total, dense.total);
  assert.equal(pruned.nonZero, dense.total - 216);
  assert.equal(denseMacs.nonZero, denseMacs.total);
  assert.equal(prunedMacs.total, denseMacs.total);
  assert.equal(prunedMacs.nonZero, denseMacs.total - 216 * 28 * 28);
  assert.equal(tf.memory().numTensors, before);
});
