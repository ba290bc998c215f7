/**
 * Number and text formatting for the Markdown tables. Every rule uses fixed
 * decimals (`Number.prototype.toFixed`, exact by the ECMAScript
 * specification), so the same numbers give the same text on every machine.
 *
 * @module
 */

import type { SampleStatistics } from "./statistics.ts";

/** Formats a percentage with two decimals, e.g. `2.85`. */
export function formatPercent(value: number): string {
  return _fixed(value, 2);
}

/** Formats a mean count, e.g. skip connections over seeds, with two decimals. */
export function formatMean(value: number): string {
  return _fixed(value, 2);
}

/** Formats test-error statistics as `2.85 ± 0.12 (n=3)`, or `2.85 (n=1)` without a spread. */
export function formatMeanStd(statistics: SampleStatistics): string {
  const mean = formatPercent(statistics.mean);
  const spread = statistics.std === null ? "" : ` ± ${formatPercent(statistics.std)}`;
  return `${mean}${spread} (n=${statistics.n})`;
}

/** Formats a parameter count: `3.35 M` from one million up, `12.3 k` from one thousand, else the integer. */
export function formatParameters(count: number): string {
  if (count >= 1e6) return `${_fixed(count / 1e6, 2)} M`;
  if (count >= 1e3) return `${_fixed(count / 1e3, 1)} k`;
  return _fixed(count, 0);
}

/** Formats a duration given in hours: `0.42 h` from 0.1 h up, then minutes, then seconds. */
export function formatHours(hours: number): string {
  if (hours >= 0.1) return `${_fixed(hours, 2)} h`;

  const minutes = hours * 60;
  if (minutes >= 1) return `${_fixed(minutes, 1)} min`;
  return `${_fixed(minutes * 60, 1)} s`;
}

/** Formats a search cost reported in GPU days, e.g. `4.00 GPU days`. */
export function formatGpuDays(days: number): string {
  return `${_fixed(days, 2)} GPU days`;
}

/** Formats a signed difference in percentage points, e.g. `+0.09` or `-1.20`. */
export function formatDifference(points: number): string {
  const text = _fixed(points, 2);
  return text.startsWith("-") ? text : `+${text}`;
}

/** Escapes text for one Markdown table cell: pipes escaped, line breaks turned into spaces. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*[\r\n]+\s*/g, " ");
}

// toFixed prints -0.001 as "-0.00"; rounding first keeps a zero unsigned.
function _fixed(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(value * scale) / scale;
  return (rounded === 0 ? 0 : rounded).toFixed(decimals);
}
