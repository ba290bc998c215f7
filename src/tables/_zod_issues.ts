/**
 * Formats zod issues as one line each: the path inside the file, the
 * message and the offending value, so a user can find and fix each entry.
 *
 * @module
 */

import type { z } from "zod";

/** Longest rendering of an offending value before it is cut, in characters. */
const _MAX_VALUE_CHARS = 120;

/**
 * Formats zod issues as indented lines `- path: message (value: …)`.
 * The value appears when the schema was parsed with `reportInput: true`.
 */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => {
    const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
    // For an unknown key the message already names the key; the input is the whole object.
    const showValue = "input" in issue && issue.code !== "unrecognized_keys";
    const value = showValue ? ` (value: ${_renderValue(issue.input)})` : "";
    return `  - ${path}: ${issue.message}${value}`;
  }).join("\n");
}

function _renderValue(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value) ?? String(value);
  return text.length > _MAX_VALUE_CHARS ? `${text.slice(0, _MAX_VALUE_CHARS)}…` : text;
}
