/**
 * The Debian package sources: the files installed by `apt-get install`, else
 * the package fetched with `apt-get download` (no root needed) and unpacked
 * with `dpkg-deb -x`.
 */

import { basename, join } from "node:path";
import type { DebianPackageSpec } from "./catalog.ts";
import { packageFilesInDirectory } from "./_package_files.ts";
import { readIdxPackage } from "./_package_layout.ts";
import { runCommand } from "./_run_command.ts";
import type { SourceCandidate, SourceContext } from "./_source_candidate.ts";

/** Returns the candidates for one Debian package: the installed files, then `apt-get download`. */
export function debianCandidates(
  pkg: DebianPackageSpec,
  context: SourceContext,
): SourceCandidate[] {
  return [
    {
      source: "package",
      location: `Debian ${pkg.name} installed in ${pkg.directory}`,
      read: async () => {
        if (!await _isDirectory(pkg.directory)) throw new Error(`${pkg.directory} does not exist`);
        return readIdxPackage(packageFilesInDirectory(pkg.directory), "", context);
      },
    },
    {
      source: "package",
      location: `apt-get download ${pkg.name}`,
      read: async () => {
        const directory = join(context.scratchDir, crypto.randomUUID());
        await Deno.mkdir(directory, { recursive: true });
        try {
          await runCommand("apt-get", ["download", pkg.name], directory);
          const deb = await _findDeb(directory, pkg.name);
          const root = join(directory, "root");
          await runCommand("dpkg-deb", ["-x", deb, root], directory);
          const origin = `${basename(deb)}:${pkg.directory}`;
          const files = packageFilesInDirectory(join(root, pkg.directory), origin);
          return await readIdxPackage(files, "", context);
        } finally {
          await Deno.remove(directory, { recursive: true }).catch(() => {});
        }
      },
    },
  ];
}

async function _findDeb(directory: string, name: string): Promise<string> {
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && entry.name.startsWith(`${name}_`) && entry.name.endsWith(".deb")) {
      return join(directory, entry.name);
    }
  }
  throw new Error(`\`apt-get download ${name}\` wrote no ${name}_*.deb to ${directory}`);
}

async function _isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
