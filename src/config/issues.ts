/**
 * Formats zod issues as lines `path: message (value: …)` so that a user sees
 * where in the file the problem is and what was found there.
 *
 * @module
 */

import type { z } from "zod";

/** Formats each issue with its JSON path, prefixed by `basePath`, and the offending value. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  basePath: readonly PropertyKey[] = [],
): string[] {
  return issues.map((issue) => {
    const path = _formatPath([...basePath, ...issue.path]);
    const value = "input" in issue && issue.input !== undefined
      ? ` (value: ${_formatValue(issue.input)})`
      : "";
    const keys = issue.code === "unrecognized_keys" ? `: ${issue.keys.join(", ")}` : "";
    return `${path}: ${issue.message}${keys}${value}`;
  });
}

function _formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";

  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text;
}

function _formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
