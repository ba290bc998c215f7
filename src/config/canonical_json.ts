/**
 * Canonical JSON: object keys sorted at every level, no whitespace. Two
 * configurations that differ only in key order serialise identically, so
 * their hashes agree.
 *
 * @module
 */

/** Serialises `value` with sorted object keys; undefined members are dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(_sortKeys(value));
}

/** Returns the lowercase hex SHA-256 of `text` (UTF-8). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function _sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(_sortKeys);
  if (typeof value !== "object" || value === null) return value;

  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = _sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}
