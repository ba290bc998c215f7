/**
 * A reader of tar archives in the ustar layout (POSIX.1-1988), with the pax
 * and GNU long-name extensions that npm and GNU tar write. It reads from
 * memory and returns views into the archive, so no `tar` binary is needed.
 *
 * @module
 */

import { DatasetFormatError } from "./errors.ts";

const _BLOCK = 512;

/** One member of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, without a leading `./`. */
  name: string;
  type: "file" | "directory" | "other";
  /** Contents; a view into the archive buffer. */
  data: Uint8Array;
}

/**
 * Lists the members of an uncompressed tar archive. `archiveName` only labels
 * errors. Throws `DatasetFormatError` on a bad header checksum or a member
 * that runs past the end of the archive.
 */
export function readTar(archive: Uint8Array, archiveName: string): TarEntry[] {
  const entries: TarEntry[] = [];
  const decoder = new TextDecoder();
  let offset = 0;
  let pendingName: string | undefined;
  let pendingSize: number | undefined;

  while (offset + _BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + _BLOCK);
    if (header.every((byte) => byte === 0)) break;

    _checkHeaderChecksum(header, archiveName, offset);

    const typeFlag = String.fromCharCode(header[156]);
    const size = pendingSize ?? _parseNumber(header.subarray(124, 136), archiveName, offset);
    const dataStart = offset + _BLOCK;
    if (dataStart + size > archive.length) {
      throw new DatasetFormatError(
        `Cannot read tar archive ${archiveName}: the member at byte ${offset} needs ${size} bytes ` +
          `but only ${archive.length - dataStart} remain. The archive is truncated.`,
      );
    }

    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / _BLOCK) * _BLOCK;

    // Extension headers describe the member that follows them.
    if (typeFlag === "L") {
      pendingName = _cString(data, decoder);
      continue;
    }
    if (typeFlag === "x") {
      const attributes = _parsePax(data, decoder);
      pendingName = attributes.get("path") ?? pendingName;
      const paxSize = attributes.get("size");
      pendingSize = paxSize === undefined ? pendingSize : Number(paxSize);
      continue;
    }
    if (typeFlag === "g") continue;

    const name = pendingName ?? _ustarName(header, decoder);
    pendingName = undefined;
    pendingSize = undefined;

    const type = typeFlag === "0" || typeFlag === "\0"
      ? "file"
      : typeFlag === "5"
      ? "directory"
      : "other";
    entries.push({ name: name.replace(/^\.\//, ""), type, data });
  }

  return entries;
}

function _ustarName(header: Uint8Array, decoder: TextDecoder): string {
  const name = _cString(header.subarray(0, 100), decoder);
  const magic = _cString(header.subarray(257, 263), decoder);
  const prefix = magic === "ustar" ? _cString(header.subarray(345, 500), decoder) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

function _checkHeaderChecksum(header: Uint8Array, archiveName: string, offset: number): void {
  // The checksum is the byte sum of the header with its own field read as spaces.
  let sum = 0;
  for (let i = 0; i < _BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];

  const recorded = _parseNumber(header.subarray(148, 156), archiveName, offset);
  if (recorded !== sum) {
    throw new DatasetFormatError(
      `Cannot read tar archive ${archiveName}: the header at byte ${offset} has checksum ` +
        `${recorded} but its bytes sum to ${sum}. The archive is corrupted or not a tar file.`,
    );
  }
}

/** Parses an octal field, or a base-256 field (high bit set) as GNU tar writes for large sizes. */
function _parseNumber(field: Uint8Array, archiveName: string, offset: number): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }

  const text = new TextDecoder().decode(field).replace(/[\0 ]+$/g, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new DatasetFormatError(
      `Cannot read tar archive ${archiveName}: the header at byte ${offset} has the numeric ` +
        `field ${
          JSON.stringify(text)
        }, which is not octal. The archive is corrupted or not a tar file.`,
    );
  }

  return parseInt(text, 8);
}

function _cString(bytes: Uint8Array, decoder: TextDecoder): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** Parses pax records of the form `<length> <key>=<value>\n`, where length counts bytes. */
function _parsePax(data: Uint8Array, decoder: TextDecoder): Map<string, string> {
  const attributes = new Map<string, string>();
  let position = 0;

  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;

    const length = Number(decoder.decode(data.subarray(position, space)));
    if (!Number.isInteger(length) || length <= space - position) break;

    const record = decoder.decode(data.subarray(space + 1, position + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) attributes.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }

  return attributes;
}
