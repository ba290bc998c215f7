/**
 * Deep merge of JSON override blocks: experiment defaults, then method
 * overrides, then the profile's blocks. Objects merge key by key; arrays and
 * scalars replace, so a profile can shorten a list of seeds.
 *
 * @module
 */

/** A JSON object as parsed from an experiment file. */
export type JsonObject = { [key: string]: unknown };

/** Returns whether `value` is a plain JSON object (not an array or null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Merges `blocks` left to right into a new object; inputs are not modified. */
export function deepMerge(...blocks: (JsonObject | undefined)[]): JsonObject {
  const merged: JsonObject = {};
  for (const block of blocks) {
    if (block === undefined) continue;

    for (const [key, value] of Object.entries(block)) {
      const previous = merged[key];
      merged[key] = isJsonObject(previous) && isJsonObject(value)
        ? deepMerge(previous, value)
        : structuredClone(value);
    }
  }
  return merged;
}
