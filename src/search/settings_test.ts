import assert from "node:assert/strict";
import { searchSettings, SearchSettingsSchema } from "./settings.ts";

Deno.test("searchSettings fills DARTS and VINNAS defaults", () => {
  const settings = searchSettings();

  assert.equal(settings.cells, 8);
  assert.equal(settings.initChannels, 16);
  assert.equal(settings.batchSize, 64);
  assert.equal(settings.epochs, 50);
  assert.equal(settings.learningRate, 0.025);
  assert.equal(settings.learningRateMin, 0.001);
  assert.equal(settings.trainPortion, 0.5);
  assert.equal(settings.trainSubsetPerClass, null);
  assert.deepEqual(settings.architecture, {
    learningRate: 3e-4,
    beta1: 0.5,
    beta2: 0.999,
    weightDecay: 1e-3,
  });
  assert.equal(settings.vinnas.prior, "ard");
  assert.equal(settings.vinnas.pruneThreshold, 3);
  assert.equal(settings.vinnas.klWarmupEpochs, 5);
  assert.equal(settings.vinnas.levels, "bilevel");
  assert.equal(settings.vinnas.includeNone, false);
  assert.deepEqual(settings.vinnas.relevanceInit, { mean: "uniform", logSigma2: -10 });
  assert.equal(settings.darts.includeNone, true);
  assert.equal(settings.darts.unrolled.finiteDifferenceScale, 0.01);
});

Deno.test("searchSettings keeps nested defaults beside overrides", () => {
  const settings = searchSettings({ vinnas: { prior: "log-uniform" }, darts: { unrolled: {} } });

  assert.equal(settings.vinnas.prior, "log-uniform");
  assert.equal(settings.vinnas.selection, "snr");
  assert.equal(settings.darts.unrolled.finiteDifferenceScale, 0.01);
});

Deno.test("SearchSettingsSchema rejects unknown keys", () => {
  const result = SearchSettingsSchema.safeParse({ vinnas: { pruneTreshold: 2 } });

  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues[0].path, ["vinnas"]);
});

Deno.test("SearchSettingsSchema rejects a train portion of 1", () => {
  const result = SearchSettingsSchema.safeParse({ trainPortion: 1 });

  assert.equal(result.success, false);
});
