/**
 * Progress events of dataset loading, for a CLI progress bar or a log.
 *
 * @module
 */

import type { DatasetName } from "./dataset.ts";

/** Kind of source the loader tries, in this order. */
export type SourceKind = "cache" | "source directory" | "package" | "network";

/** One step of loading a dataset. */
export type DatasetProgressEvent =
  /** The loader starts trying a source, or the source failed or was used. */
  | {
    kind: "source";
    dataset: DatasetName;
    source: SourceKind;
    location: string;
    status: "trying" | "failed" | "skipped" | "used";
    /** Why a source failed or was skipped; empty otherwise. */
    detail: string;
  }
  /** Bytes received so far for one URL; `totalBytes` is undefined without a Content-Length. */
  | {
    kind: "download";
    dataset: DatasetName;
    url: string;
    bytes: number;
    totalBytes: number | undefined;
  }
  /** A source file passed (`ok`) or failed its SHA-256 check. */
  | { kind: "verify"; dataset: DatasetName; file: string; ok: boolean }
  /** `done` of `total` source files are decoded. */
  | { kind: "decode"; dataset: DatasetName; file: string; done: number; total: number }
  /** The cache entry was found valid (`hit`), was absent or invalid (`miss`), or was written. */
  | {
    kind: "cache";
    dataset: DatasetName;
    directory: string;
    status: "hit" | "miss" | "written";
    detail: string;
  };

/** A receiver of progress events. */
export type ProgressCallback = (event: DatasetProgressEvent) => void;
