/**
 * Errors of the data pipeline. Each one names the file or dataset, what was
 * expected and what was found, and how to fix it.
 *
 * @module
 */

/** A file that does not have the expected SHA-256 digest; it is never used or cached. */
export class DatasetIntegrityError extends Error {
  override name = "DatasetIntegrityError";

  constructor(
    /** Source file name, for example `train-images-idx3-ubyte`. */
    readonly file: string,
    /** Where the bytes came from (a path, URL or package). */
    readonly origin: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
    /** Length of the bytes that were hashed. */
    readonly actualBytes: number,
    /** Expected length, when the digest table records it. */
    readonly expectedBytes?: number,
  ) {
    const sizes = expectedBytes === undefined
      ? `${actualBytes} bytes`
      : `${actualBytes} bytes, expected ${expectedBytes}`;
    super(
      `Cannot use ${file} from ${origin}: expected sha256 ${expectedSha256} but got ` +
        `${actualSha256} (${sizes}). The file is truncated or corrupted: delete it or ` +
        "provide an intact copy, then run `deno task data fetch` again.",
    );
  }
}

/** A file whose structure is invalid (bad magic number, wrong length, broken archive). */
export class DatasetFormatError extends Error {
  override name = "DatasetFormatError";
}

/** One source that the loader tried and why it did not provide the data. */
export interface SourceAttempt {
  /** Kind of source: `cache`, `source directory`, `package`, `network`. */
  source: string;
  /** Where it looked, for example a path, package or URL. */
  location: string;
  /** Why the source failed or was skipped. */
  reason: string;
}

/** No source provided verified data for a dataset. */
export class DatasetUnavailableError extends Error {
  override name = "DatasetUnavailableError";

  constructor(
    readonly dataset: string,
    readonly attempts: readonly SourceAttempt[],
    /** Ways to provide the data, one per line. */
    readonly remedies: readonly string[],
  ) {
    const tried = attempts.map((attempt) =>
      `  - ${attempt.source} (${attempt.location}): ${attempt.reason}`
    );
    const fixes = remedies.map((remedy) => `  - ${remedy}`);
    super(
      [
        `Cannot load dataset ${dataset}: no source provided verified data. Sources tried, in order:`,
        ...tried,
        "To provide the data, do one of the following:",
        ...fixes,
      ].join("\n"),
    );
  }
}
