/**
 * Regenerates `paper-tables/<experiment>.md` for every experiment folder
 * under `results/`, and checks that the committed tables equal the
 * regenerated ones (`deno task tables --check`).
 *
 * @module
 */

import { join } from "node:path";
import { logger } from "../util/log.ts";
import { loadResults } from "./load_results.ts";
import { loadReferences } from "./reference.ts";
import { GENERATED_MARKER, renderTable } from "./render.ts";
import { compareText } from "./_compare_text.ts";

const log = logger("tables");

/** A committed table that differs from what the results and references produce. */
export interface StaleTable {
  path: string;
  /**
   * `missing`: the file does not exist; `different`: its text differs;
   * `orphaned`: a generated table whose experiment has no result files any more.
   */
  reason: "missing" | "different" | "orphaned";
}

/**
 * Renders the table of every experiment under `resultsDir` into
 * `outDir/<experiment>.md` and returns the written paths, sorted.
 * Tables of experiments without results are left as they are;
 * `checkTables` reports them as orphaned.
 *
 * @throws Error naming the first invalid result file or an invalid reference file
 */
export async function renderAllTables(
  resultsDir: string,
  referencePath: string,
  outDir: string,
): Promise<string[]> {
  const tables = await _generateTables(resultsDir, referencePath, outDir);
  await Deno.mkdir(outDir, { recursive: true });

  for (const [path, text] of tables) {
    await Deno.writeTextFile(path, text);
    log.info(`wrote ${path}`);
  }

  return [...tables.keys()];
}

/**
 * Compares the tables in `outDir` with the ones the current results and
 * references produce, without writing anything.
 *
 * @returns the stale tables, sorted by path; empty when every table is current
 */
export async function checkTables(
  resultsDir: string,
  referencePath: string,
  outDir: string,
): Promise<StaleTable[]> {
  const tables = await _generateTables(resultsDir, referencePath, outDir);
  const stale: StaleTable[] = [];

  for (const [path, text] of tables) {
    const committed = await _readIfExists(path);
    if (committed === null) stale.push({ path, reason: "missing" });
    else if (committed !== text) stale.push({ path, reason: "different" });
  }

  for (const path of await _generatedFiles(outDir)) {
    if (!tables.has(path)) stale.push({ path, reason: "orphaned" });
  }

  return stale.sort((a, b) => compareText(a.path, b.path));
}

// Maps each output path to its text, in experiment order.
async function _generateTables(
  resultsDir: string,
  referencePath: string,
  outDir: string,
): Promise<Map<string, string>> {
  const references = await loadReferences(referencePath);
  const records = (await loadResults(resultsDir)).map((loaded) => loaded.record);
  const experiments = [...new Set(records.map((record) => record.experiment))].sort();

  const tables = new Map<string, string>();
  for (const experiment of experiments) {
    tables.set(join(outDir, `${experiment}.md`), renderTable(experiment, records, references));
  }
  return tables;
}

// Markdown files in outDir that start with the generated marker; other
// Markdown files (a README, notes) are not tables and never stale.
async function _generatedFiles(outDir: string): Promise<string[]> {
  const paths: string[] = [];
  try {
    for await (const entry of Deno.readDir(outDir)) {
      if (!entry.isFile || !entry.name.endsWith(".md")) continue;

      const path = join(outDir, entry.name);
      const text = await Deno.readTextFile(path);
      if (text.startsWith(GENERATED_MARKER)) paths.push(path);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return paths;
}

async function _readIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
