/**
 * Decoder of the IDX format in which MNIST and Fashion-MNIST are distributed:
 * a big-endian header `00 00 <type> <rank>`, then `rank` uint32 dimensions,
 * then the data in row-major order. Labels are `00 00 08 01` (uint8, rank 1) and images
 * `00 00 08 03` (uint8, rank 3).
 *
 * @module
 */

import { DatasetFormatError } from "./errors.ts";

/** The uint8 data type code of IDX. */
const _UINT8 = 0x08;

/** A decoded IDX array of unsigned bytes. */
export interface IdxArray {
  /** Dimensions, outermost first. */
  dims: number[];
  /** Elements in row-major order; a copy, independent of the input buffer. */
  data: Uint8Array;
}

/**
 * Decodes an uncompressed IDX file of unsigned bytes with the given rank.
 * Throws `DatasetFormatError` naming `fileName` when the magic number, rank
 * or length does not match.
 */
export function decodeIdx(bytes: Uint8Array, fileName: string, rank: number): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as IDX: it has ${bytes.length} bytes, fewer than the 4-byte magic number.`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = (_UINT8 << 8) | rank;
  if (magic !== expectedMagic) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as IDX: expected magic number ${_hex(expectedMagic)} ` +
        `(uint8, rank ${rank}) but got ${_hex(magic)}. The file is not an uncompressed IDX file.`,
    );
  }

  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as IDX: the header needs ${headerBytes} bytes but the file has ${bytes.length}.`,
    );
  }

  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) dims.push(view.getUint32(4 + 4 * axis));

  const elements = dims.reduce((product, dim) => product * dim, 1);
  if (bytes.length !== headerBytes + elements) {
    throw new DatasetFormatError(
      `Cannot decode ${fileName} as IDX: dimensions [${dims.join(", ")}] need ` +
        `${
          headerBytes + elements
        } bytes but the file has ${bytes.length}. The file is truncated or corrupted.`,
    );
  }

  return { dims, data: bytes.slice(headerBytes) };
}

function _hex(value: number): string {
  return "0x" + value.toString(16).padStart(8, "0");
}
