import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { forwardContext, NoiseSource } from "../nn/context.ts";
import { buildSearchNetwork } from "./search_network.ts";
import { searchSettings } from "./settings.ts";
import { isReductionCell } from "./supergraph.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

Deno.test("isReductionCell follows DARTS's thirds", () => {
  const reductions = (cells: number) =>
    Array.from({ length: cells }, (_, i) => i).filter((i) => isReductionCell(i, cells));

  assert.deepEqual(reductions(8), [2, 5]);
  assert.deepEqual(reductions(3), [1, 2]);
  assert.deepEqual(reductions(5), [1, 3]);
});

for (const method of ["vinnas", "darts-first-order"] as const) {
  for (const [height, channels] of [[28, 1], [32, 3]]) {
    Deno.test(`Supergraph ${method} classifies ${channels}×${height}×${height}`, () => {
      const settings = searchSettings({ cells: 3, initChannels: 4 });
      const network = buildSearchNetwork(
        method,
        settings,
        { inputChannels: channels, classes: 10 },
        1,
      );
      const x = tf.randomNormal([1, height, height, channels], 0, 1, "float32", 2) as tf.Tensor4D;
      const before = tf.memory().numTensors;

      const training = network.supergraph.forward(x, forwardContext(true, new NoiseSource(3)));
      const inference = network.supergraph.forward(x, forwardContext(false, new NoiseSource(3)));

      assert.deepEqual(training.shape, [1, 10]);
      assert.deepEqual(inference.shape, [1, 10]);
      assert.ok(training.dataSync().every(Number.isFinite));
      tf.dispose([training, inference]);
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
      network.store.dispose();
    });
  }
}

Deno.test("Supergraph skips pruned operations and removed edges", async () => {
  const settings = searchSettings({ cells: 2, initChannels: 2 });
  const network = buildSearchNetwork("vinnas", settings, { inputChannels: 1, classes: 3 }, 1);
  const architecture = network.architecture;
  assert.equal(architecture.method, "vinnas");
  if (architecture.method !== "vinnas") return;
  const x = tf.randomNormal([2, 8, 8, 1], 0, 1, "float32", 2) as tf.Tensor4D;
  const context = forwardContext(false, new NoiseSource(3));

  // Push every operation of node 2 (edges 0, 1) of both cell types above the
  // threshold: log α = 10 − log θ² > 3.
  for (const cell of ["normal", "reduce"] as const) {
    const logSigma2 = architecture.logSigma2[cell];
    logSigma2.assign(tf.tidy(() => {
      const rows = tf.scalar(1).reshape([1, 1]).tile([2, logSigma2.shape[1]!]).mul(10);
      return tf.concat([rows, logSigma2.slice([2, 0], [12, -1])], 0);
    }));
  }
  const pruned = await architecture.prune();
  const cell = network.supergraph.cells[0];

  assert.equal(pruned, 2 * 2 * 7);
  assert.equal(architecture.prunedCount(), 28);
  assert.equal(cell.isEdgeActive(0), false);
  assert.equal(cell.isEdgeActive(2), true);
  const logits = network.supergraph.forward(x, context);
  assert.ok(logits.dataSync().every(Number.isFinite));
  tf.dispose([x, logits]);
  network.store.dispose();
});
