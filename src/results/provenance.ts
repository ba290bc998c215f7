/**
 * Provenance facts that do not depend on the run: the git commit and whether
 * the checkout was dirty, runtime versions, platform, and the peak resident
 * memory of this process.
 *
 * @module
 */

import { TFJS_VERSION } from "../version.ts";

/** Returns the git commit of the working tree and whether tracked files were modified. */
export async function gitState(): Promise<{ commit: string | null; dirty: boolean | null }> {
  try {
    const head = await _git(["rev-parse", "HEAD"]);
    const status = await _git(["status", "--porcelain", "--untracked-files=no"]);
    return { commit: head.trim(), dirty: status.trim() !== "" };
  } catch {
    // Outside a git checkout, or without --allow-run=git, provenance records null.
    return { commit: null, dirty: null };
  }
}

/** Runtime versions and platform of this process. */
export function runtimeFacts(): {
  deno: string;
  v8: string;
  typescript: string;
  tfjs: string;
  platform: string;
  cpuCount: number | null;
} {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    tfjs: TFJS_VERSION,
    platform: `${Deno.build.os}-${Deno.build.arch}`,
    cpuCount: navigator.hardwareConcurrency ?? null,
  };
}

/**
 * Returns the peak resident set size of this process in bytes: `VmHWM` from
 * /proc/self/status on Linux, else the current RSS (a lower bound).
 */
export function peakMemoryBytes(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = status.match(/^VmHWM:\s+(\d+)\s+kB$/m);
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // Not Linux, or no read permission on /proc/self/status.
  }
  return Deno.memoryUsage().rss;
}

async function _git(args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
  if (!output.success) throw new Error(`git ${args.join(" ")} failed`);
  return new TextDecoder().decode(output.stdout);
}
