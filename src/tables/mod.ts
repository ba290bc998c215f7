/**
 * Paper tables: reported reference values with their sources, aggregation
 * of result records over seeds, and deterministic Markdown rendering.
 *
 * @module
 */

export {
  aggregateResults,
  compareSummaries,
  describeDevice,
  type FailedRun,
  type MethodSummary,
} from "./aggregate.ts";
export { type LoadedResult, loadResults, parseResultFile } from "./load_results.ts";
export {
  loadReferences,
  parseReferences,
  REFERENCE_VERSION,
  type ReferenceRow,
  ReferenceRowSchema,
  type References,
  type ReferenceSource,
  ReferenceSourceSchema,
  ReferencesSchema,
  type ReferenceTable,
  referenceTableFor,
  ReferenceTableSchema,
  type ReferenceValue,
  ReferenceValueSchema,
} from "./reference.ts";
export { GENERATED_MARKER, METHOD_LABELS, renderTable, type RenderTableOptions } from "./render.ts";
export { checkTables, renderAllTables, type StaleTable } from "./render_all.ts";
export { type SampleStatistics, sampleStatistics } from "./statistics.ts";
