/**
 * Derivation of a discrete genotype from the relevance tables of a search.
 *
 * Both rules keep, for each intermediate node, the two incoming edges whose
 * best operation scores highest, and on each kept edge that best operation.
 * `none` is never chosen. Ties go to the lower operation index, then to the
 * lower input node, because DARTS's `genotype()` (quark0/darts
 * `cnn/model_search.py`) uses a stable sort and a strict comparison.
 *
 * - DARTS: the score is the softmax weight of the operation.
 * - VINNAS: the score is −log α (θ²/σ² on a log scale, selection `"snr"`)
 *   or θ (selection `"mean"`), and only operations that survived pruning
 *   compete.
 *
 * @module
 */

import type { Genotype, GenotypeEdge } from "./genotype.ts";
import { GENOTYPE_VERSION } from "./genotype.ts";
import { CELL_EDGES, CELL_STEPS, edgesOfNode, type Primitive } from "./primitives.ts";

/** The two searched cell types. */
export const CELL_TYPES = ["normal", "reduce"] as const;

/** A searched cell type. */
export type CellType = typeof CELL_TYPES[number];

/** A score per edge and operation, `[14][numOps]`, for each cell type. */
export type ScoreTables = Record<CellType, number[][]>;

/** An edge kept although all its operations were pruned. */
export interface ForcedEdge {
  cell: CellType;
  /** Intermediate node, numbered as in the genotype (2..5). */
  node: number;
  /** Input node of the edge (0, 1: cell inputs; k ≥ 2: intermediate node k). */
  input: number;
  operation: Exclude<Primitive, "none">;
}

/** A genotype and the edges it had to take from pruned ones. */
export interface Derivation {
  genotype: Genotype;
  forcedEdges: ForcedEdge[];
}

/** Applies DARTS's rule to the softmax weights `[14][numOps]` of both cell types. */
export function deriveDarts(weights: ScoreTables, candidates: readonly Primitive[]): Genotype {
  const surviving = (cell: CellType) => weights[cell].map((row) => row.map(() => true));
  return _derive(weights, { normal: surviving("normal"), reduce: surviving("reduce") }, candidates)
    .genotype;
}

/** Relevance of the VINNAS operations of one cell type, `[14][numOps]` each. */
export interface VinnasRelevanceTable {
  theta: number[][];
  logAlpha: number[][];
  /** Operations removed from the supergraph. */
  pruned: boolean[][];
}

/** Options of {@link deriveVinnas}. */
export interface VinnasDerivationOptions {
  selection: "snr" | "mean";
  /** Operations with log α above this do not survive, even if not yet removed. */
  pruneThreshold: number;
}

/**
 * Applies VINNAS's rule. Only operations that are not pruned and have
 * log α ≤ threshold survive.
 *
 * NOTE: a genotype needs exactly two incoming edges per intermediate node
 * (the DARTS format that the evaluation networks read), but pruning may
 * leave fewer. The missing edges are then taken from the pruned ones, ranked
 * by the same score over all their operations, and reported in
 * `forcedEdges` so the trajectory shows that the search itself dropped them.
 */
export function deriveVinnas(
  tables: Record<CellType, VinnasRelevanceTable>,
  candidates: readonly Primitive[],
  options: VinnasDerivationOptions,
): Derivation {
  const scores = {} as ScoreTables;
  const surviving = {} as Record<CellType, boolean[][]>;
  for (const cell of CELL_TYPES) {
    const table = tables[cell];
    scores[cell] = options.selection === "snr"
      ? table.logAlpha.map((row) => row.map((value) => -value))
      : table.theta.map((row) => [...row]);
    surviving[cell] = table.logAlpha.map((row, edge) =>
      row.map((value, op) => !table.pruned[edge][op] && value <= options.pruneThreshold)
    );
  }
  return _derive(scores, surviving, candidates);
}

interface _EdgeChoice {
  input: number;
  op: number;
  score: number;
}

function _derive(
  scores: ScoreTables,
  surviving: Record<CellType, boolean[][]>,
  candidates: readonly Primitive[],
): Derivation {
  const forcedEdges: ForcedEdge[] = [];
  const cells = {} as Record<CellType, GenotypeEdge[]>;

  for (const cell of CELL_TYPES) {
    _checkTable(scores[cell], candidates, cell);
    cells[cell] = [];

    for (let step = 0; step < CELL_STEPS; step++) {
      const { start, end } = edgesOfNode(step);
      const alive: _EdgeChoice[] = [];
      const pruned: _EdgeChoice[] = [];
      for (let edge = start; edge < end; edge++) {
        const input = edge - start;
        const row = scores[cell][edge];
        const best = _bestOperation(row, surviving[cell][edge], candidates);
        if (best !== null) {
          alive.push({ input, op: best, score: row[best] });
          continue;
        }
        const fallback = _bestOperation(row, row.map(() => true), candidates);
        if (fallback !== null) pruned.push({ input, op: fallback, score: row[fallback] });
      }

      const chosen = [..._ranked(alive), ..._ranked(pruned)].slice(0, 2);
      if (chosen.length < 2) {
        throw new Error(
          `Cannot derive a genotype: node ${step + 2} of the ${cell} cell has fewer than two ` +
            `edges with a candidate other than none (candidates: ${candidates.join(", ")}).`,
        );
      }
      for (const choice of chosen) {
        const operation = candidates[choice.op] as Exclude<Primitive, "none">;
        cells[cell].push([operation, choice.input]);
        if (!alive.includes(choice)) {
          forcedEdges.push({ cell, node: step + 2, input: choice.input, operation });
        }
      }
    }
  }

  const concat = Array.from({ length: CELL_STEPS }, (_, i) => i + 2);
  const genotype: Genotype = {
    version: GENOTYPE_VERSION,
    normal: cells.normal,
    normalConcat: concat,
    reduce: cells.reduce,
    reduceConcat: [...concat],
  };
  return { genotype, forcedEdges };
}

/** Index of the highest-scoring allowed operation other than `none`; the lower index wins ties. */
function _bestOperation(
  row: number[],
  allowed: boolean[],
  candidates: readonly Primitive[],
): number | null {
  let best: number | null = null;
  for (let op = 0; op < row.length; op++) {
    if (candidates[op] === "none" || !allowed[op] || Number.isNaN(row[op])) continue;
    if (best === null || row[op] > row[best]) best = op;
  }
  return best;
}

/** Sorts by score, highest first; the lower input node wins ties. */
function _ranked(choices: _EdgeChoice[]): _EdgeChoice[] {
  return [...choices].sort((a, b) => b.score - a.score || a.input - b.input);
}

function _checkTable(table: number[][], candidates: readonly Primitive[], cell: CellType): void {
  const valid = table.length === CELL_EDGES &&
    table.every((row) => row.length === candidates.length);
  if (!valid) {
    throw new Error(
      `Cannot derive the ${cell} cell: expected a table of ${CELL_EDGES} edges × ` +
        `${candidates.length} operations, got ${table.length} × ${table[0]?.length ?? 0}.`,
    );
  }
}
