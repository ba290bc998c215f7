/**
 * Crafted result records for the table tests. Every record passes
 * `ResultRecordSchema`; tests change only the fields they measure.
 *
 * @module
 */

import { type Method, RESULT_VERSION, type ResultRecord } from "../../results/record.ts";
import { GENOTYPE_VERSION } from "../../search/genotype.ts";

/** The fields a test usually varies. */
export interface RecordFields {
  experiment?: string;
  dataset?: ResultRecord["dataset"];
  method?: Method;
  seed?: number;
  profile?: string;
  testError?: number;
  totalParameters?: number;
  nonZeroParameters?: number;
  searchSeconds?: number;
  skipConnections?: number;
  backend?: string;
  cpuCount?: number | null;
  adapter?: ResultRecord["provenance"]["adapter"];
  /** When set, the record is a failed run with this failure. */
  failure?: NonNullable<ResultRecord["failure"]>;
}

/** Builds a complete (or, with `failure`, failed) result record. */
export function makeRecord(fields: RecordFields = {}): ResultRecord {
  const experiment = fields.experiment ?? "cifar10";
  const method = fields.method ?? "vinnas";
  const seed = fields.seed ?? 0;
  const profile = fields.profile ?? "smoke";
  const failed = fields.failure !== undefined;

  return {
    version: RESULT_VERSION,
    runId: _runId(experiment, method, seed, profile),
    experiment,
    dataset: fields.dataset ?? "cifar10",
    method,
    seed,
    profile,
    status: failed ? "failed" : "complete",
    config: { crafted: true },
    provenance: {
      gitCommit: null,
      gitDirty: null,
      codeVersion: "test",
      deno: "2.0.0",
      v8: "13.0",
      typescript: "5.6",
      tfjs: "4.22.0",
      backend: fields.backend ?? "wasm",
      adapter: fields.adapter ?? null,
      tfjsFlags: {},
      platform: "linux x86_64",
      cpuCount: fields.cpuCount === undefined ? 2 : fields.cpuCount,
      dataDigests: {},
      seed,
      startedAt: "2020-01-01T00:00:00.000Z",
      finishedAt: "2020-01-01T01:00:00.000Z",
      wallSeconds: 3600,
      peakMemoryBytes: 1024,
    },
    search: failed ? null : {
      genotype: {
        version: GENOTYPE_VERSION,
        normal: [
          ["sep_conv_3x3", 0],
          ["skip_connect", 1],
          ["sep_conv_3x3", 0],
          ["dil_conv_3x3", 2],
          ["max_pool_3x3", 1],
          ["skip_connect", 3],
          ["sep_conv_5x5", 4],
          ["avg_pool_3x3", 0],
        ],
        normalConcat: [2, 3, 4, 5],
        reduce: [
          ["max_pool_3x3", 0],
          ["max_pool_3x3", 1],
          ["skip_connect", 2],
          ["max_pool_3x3", 1],
          ["max_pool_3x3", 0],
          ["skip_connect", 2],
          ["skip_connect", 2],
          ["max_pool_3x3", 1],
        ],
        reduceConcat: [2, 3, 4, 5],
      },
      genotypeHash: "0000",
      epochs: 1,
      wallSeconds: fields.searchSeconds ?? 1800,
      skipConnectionsInNormalCell: fields.skipConnections ?? 2,
      trajectory: [],
    },
    evaluation: failed ? null : {
      testError: fields.testError ?? 10,
      totalParameters: fields.totalParameters ?? 1_000_000,
      nonZeroParameters: fields.nonZeroParameters ?? 500_000,
      multiplyAccumulates: 1_000_000,
      epochs: 1,
      wallSeconds: 60,
      curves: [],
    },
    failure: fields.failure ?? null,
  };
}

// A 16-hex-digit id from the unit's identity (FNV-1a, 64 bits), so each
// crafted unit gets a stable, distinct file name.
function _runId(experiment: string, method: string, seed: number, profile: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`${experiment}|${method}|${seed}|${profile}`)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}
