/** The SHA-256 check that every source file passes before it is decoded or cached. */

import type { DatasetSpec } from "./catalog.ts";
import type { ProgressCallback } from "./progress.ts";
import type { SourceFiles } from "./_source_candidate.ts";
import { DatasetIntegrityError } from "./errors.ts";
import { sha256Hex } from "./_sha256.ts";

/**
 * Hashes every source file of the dataset and compares it with the expected
 * digest. Throws `DatasetIntegrityError` at the first mismatch, naming the
 * file, its origin, and both digests.
 */
export async function verifySourceFiles(
  spec: DatasetSpec,
  files: SourceFiles,
  expectedDigests: Record<string, string>,
  onProgress: ProgressCallback,
): Promise<void> {
  for (const file of spec.files) {
    const source = files.get(file.name);
    if (source === undefined) throw new Error(`the source provided no ${file.name}`);

    const expected = expectedDigests[file.name];
    const actual = await sha256Hex(source.bytes);
    const ok = actual === expected;
    onProgress({ kind: "verify", dataset: spec.name, file: file.name, ok });

    if (!ok) {
      // The published size applies only while the published digest is expected.
      const expectedBytes = expected === file.sha256 ? file.bytes : undefined;
      throw new DatasetIntegrityError(
        file.name,
        source.origin,
        expected,
        actual,
        source.bytes.length,
        expectedBytes,
      );
    }
  }
}
