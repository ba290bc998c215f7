/** Types shared by the sources that the loader tries in order. */

import type { DatasetSpec } from "./catalog.ts";
import type { ProgressCallback, SourceKind } from "./progress.ts";

/** One decoded source file (uncompressed IDX file or CIFAR-10 binary batch) and where it came from. */
export interface SourceFile {
  bytes: Uint8Array;
  /** Path, URL or package the bytes came from, for error messages. */
  origin: string;
}

/** The decoded source files of one dataset, by file name. */
export type SourceFiles = Map<string, SourceFile>;

/** A place the loader may take a dataset from. */
export interface SourceCandidate {
  source: SourceKind;
  /** Where the source looks: a path, package or URL. */
  location: string;
  /** Set when the source is disabled or not configured; then `read` is not called. */
  skipReason?: string;
  /** Reads and decodes the source files; throws with a reason when it cannot. */
  read(): Promise<SourceFiles>;
}

/** What every source needs besides the dataset specification. */
export interface SourceContext {
  spec: DatasetSpec;
  /** Scratch space for downloads and unpacked packages, removed after use. */
  scratchDir: string;
  onProgress: ProgressCallback;
}
