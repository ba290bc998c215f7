/**
 * Re-hashing a cache entry against its manifest, to detect files that were
 * changed or damaged after they were written.
 *
 * @module
 */

import { join } from "node:path";
import { manifestProblem, readManifest } from "./_cache_entry.ts";
import { resolveCacheDir } from "./cache_directory.ts";
import { CACHED_ARRAYS } from "./cache_manifest.ts";
import type { DatasetName } from "./dataset.ts";
import { sha256Hex } from "./_sha256.ts";
import { datasetSpec, expectedDigestsOf } from "./load_dataset.ts";

/** Options of `verifyDataset`. */
export interface VerifyOptions {
  /** Cache directory; the same default as `loadDataset`. */
  cacheDir?: string;
  /** Expected SHA-256 per source file name, as in `loadDataset`. */
  digests?: Record<string, string>;
}

/** The check of one cached array file. */
export interface VerifiedFile {
  file: string;
  expectedSha256: string;
  /** Undefined when the file is missing. */
  actualSha256: string | undefined;
  expectedBytes: number;
  /** Undefined when the file is missing. */
  actualBytes: number | undefined;
  ok: boolean;
}

/** The result of `verifyDataset`. */
export interface VerifyReport {
  dataset: DatasetName;
  /** The cache entry directory. */
  directory: string;
  /** Whether the manifest is valid and every file matches it. */
  ok: boolean;
  /** One sentence per problem found; empty when `ok`. */
  problems: string[];
  /** One row per cached array; empty when the manifest cannot be read. */
  files: VerifiedFile[];
}

/**
 * Re-hashes every array of a dataset's cache entry and compares sizes and
 * digests with the manifest, and the manifest's source digests with the
 * expected ones. Reports problems instead of throwing.
 */
export async function verifyDataset(
  name: DatasetName,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const spec = datasetSpec(name);
  const directory = join(resolveCacheDir(options.cacheDir), spec.name);
  const report: VerifyReport = { dataset: name, directory, ok: false, problems: [], files: [] };

  const parsed = await readManifest(directory);
  if (parsed.reason !== undefined) {
    report.problems.push(parsed.reason);
    return report;
  }

  const problem = manifestProblem(parsed.manifest, spec, expectedDigestsOf(spec, options.digests));
  if (problem !== undefined) report.problems.push(problem);

  for (const { key } of CACHED_ARRAYS) {
    const entry = parsed.manifest.arrays[key];
    const row: VerifiedFile = {
      file: entry.file,
      expectedSha256: entry.sha256,
      actualSha256: undefined,
      expectedBytes: entry.bytes,
      actualBytes: undefined,
      ok: false,
    };
    report.files.push(row);

    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(directory, entry.file));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      report.problems.push(`${entry.file} is missing`);
      continue;
    }

    row.actualBytes = bytes.length;
    row.actualSha256 = await sha256Hex(bytes);
    row.ok = row.actualBytes === entry.bytes && row.actualSha256 === entry.sha256;
    if (!row.ok) {
      report.problems.push(
        `${entry.file}: expected sha256 ${entry.sha256} (${entry.bytes} bytes) but got ` +
          `${row.actualSha256} (${row.actualBytes} bytes)`,
      );
    }
  }

  report.ok = report.problems.length === 0;
  return report;
}
