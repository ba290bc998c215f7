/**
 * Where verified datasets are cached on this machine.
 *
 * @module
 */

import { join } from "node:path";

/** Folder name of the cache under the user's cache home. */
const _CACHE_FOLDER = "vinnas-tfjs";

/**
 * Returns the cache directory: `cacheDir` when given, else `$VINNAS_CACHE_DIR`,
 * else `$XDG_CACHE_HOME/vinnas-tfjs`, else `$HOME/.cache/vinnas-tfjs`.
 * Reading the environment needs `--allow-env`; without it, pass `cacheDir`.
 */
export function resolveCacheDir(cacheDir?: string): string {
  if (cacheDir !== undefined) return cacheDir;

  const fromEnvironment = _environment("VINNAS_CACHE_DIR");
  if (fromEnvironment) return fromEnvironment;

  const xdgCacheHome = _environment("XDG_CACHE_HOME");
  if (xdgCacheHome) return join(xdgCacheHome, _CACHE_FOLDER);

  const home = _environment("HOME") ?? _environment("USERPROFILE");
  if (home) return join(home, ".cache", _CACHE_FOLDER);

  throw new Error(
    "Cannot choose a dataset cache directory: none of VINNAS_CACHE_DIR, XDG_CACHE_HOME and " +
      "HOME is set. Set VINNAS_CACHE_DIR or pass the option cacheDir.",
  );
}

function _environment(variable: string): string | undefined {
  try {
    return Deno.env.get(variable);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw new Error(
        `Cannot choose a dataset cache directory: reading ${variable} needs --allow-env. ` +
          "Grant it or pass the option cacheDir.",
        { cause: error },
      );
    }
    throw error;
  }
}
