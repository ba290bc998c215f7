/**
 * Compares strings by UTF-16 code units, not by locale, so that sorting
 * gives the same order on every machine.
 *
 * @module
 */

/** Compares two strings by code units: negative, zero or positive, as `Array.prototype.sort` expects. */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
