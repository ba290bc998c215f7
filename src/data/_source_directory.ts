/**
 * The source that reads the original files from a directory the user gives:
 * IDX files (plain or .gz), or CIFAR-10 binary batches, directly, in
 * `cifar-10-batches-bin/`, or as the original `cifar-10-binary.tar.gz`.
 */

import { join } from "node:path";
import type { SourceCandidate, SourceContext, SourceFiles } from "./_source_candidate.ts";
import { gunzip, isGzip } from "./gzip.ts";
import { readTar } from "./tar.ts";

/** Returns the candidate that reads `directory`, or a skipped one when no directory is given. */
export function sourceDirectoryCandidate(
  directory: string | undefined,
  context: SourceContext,
): SourceCandidate {
  if (directory === undefined) {
    return {
      source: "source directory",
      location: "no directory given",
      skipReason: "skipped (set the option sourceDir or the CLI flag --source-dir)",
      read: () => Promise.reject(new Error("no source directory given")),
    };
  }

  return {
    source: "source directory",
    location: directory,
    read: () => readSourceDirectory(directory, context),
  };
}

/** Reads every source file of the dataset from `directory`; throws listing the files not found. */
export async function readSourceDirectory(
  directory: string,
  context: SourceContext,
): Promise<SourceFiles> {
  const { spec } = context;
  const info = await Deno.stat(directory).catch(() => undefined);
  if (info?.isDirectory !== true) throw new Error(`${directory} is not an existing directory`);

  const archive = spec.network.archive;
  const folders = [join(directory, spec.name), directory];
  if (archive !== undefined) {
    folders.push(...folders.map((folder) => join(folder, archive.memberDirectory)));
  }

  const files: SourceFiles = new Map();
  const missing: string[] = [];
  for (const file of spec.files) {
    const found = await _readFirst(folders.flatMap((folder) => [
      join(folder, file.name),
      join(folder, `${file.name}.gz`),
    ]));
    if (found === undefined) {
      missing.push(file.name);
      continue;
    }

    const bytes = isGzip(found.bytes) ? await gunzip(found.bytes, found.path) : found.bytes;
    files.set(file.name, { bytes, origin: found.path });
  }

  if (missing.length === 0) return files;

  if (archive !== undefined && files.size === 0) {
    const found = await _readFirst(folders.map((folder) => join(folder, archive.name)));
    if (found !== undefined) {
      return readCifarArchive(found.bytes, found.path, archive.memberDirectory, context);
    }
  }

  const alternatives = archive === undefined ? "" : `, nor ${archive.name}`;
  throw new Error(
    `found no ${missing.join(", ")} (plain or .gz${alternatives}) in ${folders.join(", ")}`,
  );
}

/** Extracts the CIFAR-10 batches from the original `cifar-10-binary.tar.gz`. */
export async function readCifarArchive(
  compressed: Uint8Array,
  origin: string,
  memberDirectory: string,
  context: SourceContext,
): Promise<SourceFiles> {
  const entries = readTar(await gunzip(compressed, origin), origin);
  const byName = new Map(entries.map((entry) => [entry.name, entry.data]));

  const files: SourceFiles = new Map();
  const missing: string[] = [];
  for (const file of context.spec.files) {
    const member = `${memberDirectory}/${file.name}`;
    const bytes = byName.get(member);
    if (bytes === undefined) missing.push(member);
    else files.set(file.name, { bytes, origin: `${origin}:${member}` });
  }

  if (missing.length > 0) throw new Error(`${origin} lacks ${missing.join(", ")}`);
  return files;
}

async function _readFirst(
  paths: readonly string[],
): Promise<{ path: string; bytes: Uint8Array } | undefined> {
  for (const path of paths) {
    try {
      return { path, bytes: await Deno.readFile(path) };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}
