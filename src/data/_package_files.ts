/** Read access to the files of a package, unpacked in a folder or held in a tarball. */

import { join } from "node:path";
import { gunzip } from "./gzip.ts";
import { readTar } from "./tar.ts";

/** The files of one package, addressed by their path inside the package. */
export interface PackageFiles {
  /** Location of the package, for messages. */
  origin: string;
  /** Returns the file's bytes, or undefined when the package has no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
}

/** Returns the files of a package unpacked in `root`; `origin` labels them in messages. */
export function packageFilesInDirectory(root: string, origin: string = root): PackageFiles {
  return {
    origin,
    read: async (path) => {
      try {
        return await Deno.readFile(join(root, path));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
  };
}

/** Returns the files of an npm tarball (`.tgz`, members under `package/`). */
export async function packageFilesInTarball(
  tarball: Uint8Array,
  origin: string,
): Promise<PackageFiles> {
  const entries = readTar(await gunzip(tarball, origin), origin);

  // npm puts every member under one top folder, normally `package/`.
  const members = new Map<string, Uint8Array>();
  for (const entry of entries) {
    if (entry.type !== "file") continue;
    const slash = entry.name.indexOf("/");
    members.set(entry.name.slice(slash + 1), entry.data);
  }

  return { origin, read: (path) => Promise.resolve(members.get(path)) };
}
