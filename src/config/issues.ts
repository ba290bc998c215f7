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
    if (issue.code === "unrecognized_keys") {
      // The input of this issue is the whole parent object, so it is not shown.
      return `${path}: unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(", ")}; ` +
        "check the spelling against experiments/experiment.schema.json";
    }

    const missing = "input" in issue && issue.input === undefined &&
      (issue.code === "invalid_type" || issue.code === "invalid_value");
    if (missing) return `${path}: missing; ${issue.message}`;

    const value = "input" in issue && issue.input !== undefined
      ? ` (value: ${_formatValue(issue.input)})`
      : "";
    return `${path}: ${issue.message}${value}`;
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
