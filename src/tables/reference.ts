/**
 * Reported values that the regenerated tables compare against: the single
 * definition of `paper-tables/reference.json`. Every value carries its
 * source. A value that nobody read in an opened page stays `null`, and its
 * source then names the table and row it would come from, so that a reader
 * of the VINNAS paper (arXiv 2007.06103) can fill it in.
 *
 * @module
 */

import { z } from "zod";
import { MethodSchema, type ResultRecord } from "../results/record.ts";
import { formatZodIssues } from "./_zod_issues.ts";

/** Version of the reference file format; bump it when a field changes meaning. */
export const REFERENCE_VERSION = 1;

/** Source of one reported value: document, location inside it, and the page it was read from. */
export const ReferenceSourceSchema = z.strictObject({
  document: z.string().min(1).describe("short citation, e.g. 'VINNAS paper (arXiv 2007.06103)'"),
  location: z.string().min(1).describe("table and row, or section, inside the document"),
  url: z.url().nullable().describe("page the value was read from; null when nobody read it"),
  note: z.string().nullable().describe("how the value was read or why it is missing"),
});

/** One reported number with its source; `value` is null when it is not verified. */
export const ReferenceValueSchema = z.strictObject({
  value: z.number().nonnegative().nullable(),
  source: ReferenceSourceSchema,
}).refine((entry) => entry.value === null || entry.source.url !== null, {
  message: "a reported value needs the URL of the page it was read from",
  path: ["source", "url"],
});

/** One row of a reported table: a method as some source reports it. */
export const ReferenceRowSchema = z.strictObject({
  label: z.string().min(1).describe("row label as the source writes it"),
  method: MethodSchema.nullable().describe("the method of this harness the row compares to"),
  testErrorMean: ReferenceValueSchema.describe("test error in percent"),
  testErrorStd: ReferenceValueSchema.describe("standard deviation of the test error in percent"),
  totalParameters: ReferenceValueSchema.describe("in parameters, not millions"),
  nonZeroParameters: ReferenceValueSchema.describe("in parameters, not millions"),
  searchCostGpuDays: ReferenceValueSchema.describe("search cost in GPU days"),
}).refine((row) => row.testErrorStd.value === null || row.testErrorMean.value !== null, {
  message: "a standard deviation needs its mean",
  path: ["testErrorStd", "value"],
});

/** The reported rows for one dataset. */
export const ReferenceTableSchema = z.strictObject({
  title: z.string().min(1),
  note: z.string().nullable().describe("what the table lacks and why"),
  rows: z.array(ReferenceRowSchema),
});

/** Schema of `paper-tables/reference.json`; strict, so a misspelt key is an error. */
export const ReferencesSchema = z.strictObject({
  version: z.literal(REFERENCE_VERSION),
  tables: z.strictObject({
    mnist: ReferenceTableSchema,
    "fashion-mnist": ReferenceTableSchema,
    cifar10: ReferenceTableSchema,
  }),
});

/** Source of one reported value. */
export type ReferenceSource = z.infer<typeof ReferenceSourceSchema>;

/** One reported number with its source. */
export type ReferenceValue = z.infer<typeof ReferenceValueSchema>;

/** One row of a reported table. */
export type ReferenceRow = z.infer<typeof ReferenceRowSchema>;

/** The reported rows for one dataset. */
export type ReferenceTable = z.infer<typeof ReferenceTableSchema>;

/** The contents of `paper-tables/reference.json`. */
export type References = z.infer<typeof ReferencesSchema>;

/** Returns the reported rows for a dataset of the result records. */
export function referenceTableFor(
  references: References,
  dataset: ResultRecord["dataset"],
): ReferenceTable {
  return references.tables[dataset];
}

/**
 * Validates parsed JSON as a reference file.
 *
 * @param data the parsed JSON
 * @param origin file path or other name used in the error message
 * @throws Error listing every zod issue with its path and the offending value
 */
export function parseReferences(data: unknown, origin: string): References {
  const parsed = ReferencesSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new Error(
      `Cannot load reference values from ${origin}: the file does not match the reference ` +
        `schema version ${REFERENCE_VERSION}. Fix these entries:\n${
          formatZodIssues(parsed.error.issues)
        }`,
    );
  }

  return parsed.data;
}

/**
 * Reads and validates `paper-tables/reference.json` (or another path).
 *
 * @throws Error naming the path when the file is missing, is not JSON or does not match the schema
 */
export async function loadReferences(path: string): Promise<References> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot load reference values from ${path}: ${(error as Error).message}. ` +
        `Check the path; the repository keeps them in paper-tables/reference.json.`,
    );
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot load reference values from ${path}: invalid JSON (${(error as Error).message}).`,
    );
  }

  return parseReferences(data, path);
}
