/**
 * gzip decompression through the web `DecompressionStream`, so no native
 * tool is needed.
 *
 * @module
 */

import { DatasetFormatError } from "./errors.ts";

/** Whether `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a gzip file held in memory. `fileName` only labels errors.
 * Throws `DatasetFormatError` when the data is not gzip or ends early.
 */
export async function gunzip(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    throw new DatasetFormatError(
      `Cannot decompress ${fileName}: it does not start with the gzip magic number 1f 8b. ` +
        "Provide the original .gz file or the decompressed file.",
    );
  }

  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));

  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DatasetFormatError(
      `Cannot decompress ${fileName}: ${(error as Error).message}. ` +
        "The file is truncated or corrupted; delete it and fetch it again.",
      { cause: error },
    );
  }
}
