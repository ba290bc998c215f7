import assert from "node:assert/strict";
import { deriveDarts, deriveVinnas, type VinnasRelevanceTable } from "./derive.ts";
import { GenotypeSchema } from "./genotype.ts";
import { CELL_EDGES, PRIMITIVES } from "./primitives.ts";

const WITHOUT_NONE = PRIMITIVES.filter((name) => name !== "none");

function constantTable(columns: number, value: number): number[][] {
  return Array.from({ length: CELL_EDGES }, () => Array(columns).fill(value));
}

function vinnasTable(columns: number): VinnasRelevanceTable {
  return {
    theta: constantTable(columns, 0.1),
    logAlpha: constantTable(columns, -5),
    pruned: Array.from({ length: CELL_EDGES }, () => Array(columns).fill(false)),
  };
}

Deno.test("deriveDarts picks strongest non-none edges and operations", () => {
  const normal = constantTable(PRIMITIVES.length, 0.1);
  // Node 2 (edges 0, 1): `none` is strongest on edge 0 but never chosen.
  normal[0][0] = 0.9;
  normal[0][4] = 0.3; // sep_conv_3x3
  normal[1][6] = 0.2; // dil_conv_3x3
  // Node 3 (edges 2, 3, 4): edge 4 (input node 2) and edge 2 (input 0) win.
  normal[4][3] = 0.5; // skip_connect from node 2
  normal[2][1] = 0.4; // max_pool_3x3 from input 0
  const reduce = constantTable(PRIMITIVES.length, 0.1);

  const genotype = deriveDarts({ normal, reduce }, PRIMITIVES);

  assert.deepEqual(genotype.normal[0], ["sep_conv_3x3", 0]);
  assert.deepEqual(genotype.normal[1], ["dil_conv_3x3", 1]);
  assert.deepEqual(genotype.normal[2], ["skip_connect", 2]);
  assert.deepEqual(genotype.normal[3], ["max_pool_3x3", 0]);
  assert.deepEqual(genotype.normalConcat, [2, 3, 4, 5]);
  assert.equal(GenotypeSchema.safeParse(genotype).success, true);
});

Deno.test("deriveDarts breaks ties by operation then input", () => {
  const table = constantTable(PRIMITIVES.length, 0.125);

  const genotype = deriveDarts({ normal: table, reduce: table }, PRIMITIVES);

  // Every weight is equal: the first non-none operation on the two lowest inputs.
  assert.deepEqual(genotype.normal.slice(0, 2), [["max_pool_3x3", 0], ["max_pool_3x3", 1]]);
  assert.deepEqual(genotype.reduce.slice(6, 8), [["max_pool_3x3", 0], ["max_pool_3x3", 1]]);
});

Deno.test("deriveVinnas ranks surviving operations by signal-to-noise", () => {
  const normal = vinnasTable(WITHOUT_NONE.length);
  // Edge 0: sep_conv_5x5 (index 4) has the lowest log α but the smaller θ.
  normal.logAlpha[0][4] = -8;
  normal.theta[0][4] = 0.05;
  normal.theta[0][2] = 0.9; // skip_connect: largest θ
  normal.logAlpha[1][0] = -7; // max_pool_3x3 on edge 1

  const tables = { normal, reduce: vinnasTable(WITHOUT_NONE.length) };
  const bySnr = deriveVinnas(tables, WITHOUT_NONE, { selection: "snr", pruneThreshold: 3 });
  const byMean = deriveVinnas(tables, WITHOUT_NONE, { selection: "mean", pruneThreshold: 3 });

  assert.deepEqual(bySnr.genotype.normal[0], ["sep_conv_5x5", 0]);
  assert.deepEqual(bySnr.genotype.normal[1], ["max_pool_3x3", 1]);
  assert.deepEqual(byMean.genotype.normal[0], ["skip_connect", 0]);
  assert.equal(bySnr.forcedEdges.length, 0);
});

Deno.test("deriveVinnas skips pruned operations and edges", () => {
  const normal = vinnasTable(WITHOUT_NONE.length);
  // Node 3 (edges 2, 3, 4): edge 2 is strongest but fully pruned.
  normal.logAlpha[2] = normal.logAlpha[2].map(() => -9);
  normal.pruned[2] = normal.pruned[2].map(() => true);
  normal.logAlpha[3][5] = -6; // dil_conv_3x3 from input 1
  // Edge 4: its best operation (avg_pool_3x3) is pruned, so the next one wins.
  normal.logAlpha[4][1] = -7;
  normal.pruned[4][1] = true;
  normal.logAlpha[4][6] = -5.5; // dil_conv_5x5 from node 2
  // Above the threshold but not yet removed: does not survive either.
  normal.logAlpha[3][0] = 4;

  const { genotype, forcedEdges } = deriveVinnas(
    { normal, reduce: vinnasTable(WITHOUT_NONE.length) },
    WITHOUT_NONE,
    { selection: "snr", pruneThreshold: 3 },
  );

  assert.deepEqual(genotype.normal[2], ["dil_conv_3x3", 1]);
  assert.deepEqual(genotype.normal[3], ["dil_conv_5x5", 2]);
  assert.equal(forcedEdges.length, 0);
});

Deno.test("deriveVinnas fills nodes from pruned edges", () => {
  const normal = vinnasTable(WITHOUT_NONE.length);
  // Node 2 (edges 0, 1): both edges fully pruned; edge 1 ranks higher.
  for (const edge of [0, 1]) normal.pruned[edge] = normal.pruned[edge].map(() => true);
  normal.logAlpha[0] = normal.logAlpha[0].map(() => 6);
  normal.logAlpha[1] = normal.logAlpha[1].map(() => 5);
  normal.logAlpha[1][3] = 4; // sep_conv_3x3 is the least pruned on edge 1
  // Node 4 (edges 5..8): only edge 7 survives.
  for (const edge of [5, 6, 8]) normal.pruned[edge] = normal.pruned[edge].map(() => true);

  const { genotype, forcedEdges } = deriveVinnas(
    { normal, reduce: vinnasTable(WITHOUT_NONE.length) },
    WITHOUT_NONE,
    { selection: "snr", pruneThreshold: 3 },
  );

  assert.deepEqual(genotype.normal[0], ["sep_conv_3x3", 1]);
  assert.deepEqual(genotype.normal[1], ["max_pool_3x3", 0]);
  assert.deepEqual(genotype.normal[4], ["max_pool_3x3", 2]);
  assert.deepEqual(genotype.normal[5], ["max_pool_3x3", 0]);
  assert.deepEqual(forcedEdges, [
    { cell: "normal", node: 2, input: 1, operation: "sep_conv_3x3" },
    { cell: "normal", node: 2, input: 0, operation: "max_pool_3x3" },
    { cell: "normal", node: 4, input: 0, operation: "max_pool_3x3" },
  ]);
  assert.equal(GenotypeSchema.safeParse(genotype).success, true);
});

Deno.test("deriveDarts rejects a table of the wrong size", () => {
  const table = constantTable(PRIMITIVES.length - 1, 0.1);

  assert.throws(
    () => deriveDarts({ normal: table, reduce: table }, PRIMITIVES),
    /expected a table of 14 edges × 8 operations, got 14 × 7/,
  );
});
