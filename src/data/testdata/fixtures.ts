/**
 * Builders of small fake datasets in the original distribution formats (IDX,
 * gzip, tar, CIFAR-10 binary records, npm tarballs), for tests that must not
 * depend on the real data.
 */

import { DATASET_SPECS } from "../catalog.ts";
import { CIFAR_RECORD_BYTES } from "../cifar_binary.ts";
import { sha256Hex } from "../_sha256.ts";
import { Rng } from "../../util/random.ts";

/** Encodes a uint8 IDX file with the given dimensions. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, (0x08 << 8) | dims.length);
  dims.forEach((dim, axis) => view.setUint32(4 + 4 * axis, dim));

  const file = new Uint8Array(header.length + data.length);
  file.set(header);
  file.set(data, header.length);
  return file;
}

/** Compresses bytes with gzip through `CompressionStream`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** One member for `encodeTar`; `typeFlag` defaults to "0" (regular file). */
export interface TarMember {
  name: string;
  data?: Uint8Array;
  typeFlag?: string;
  /** ustar prefix field, joined to `name` with "/". */
  prefix?: string;
}

/** Encodes a ustar archive, ending with two zero blocks. */
export function encodeTar(members: readonly TarMember[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const encoder = new TextEncoder();

  for (const member of members) {
    const data = member.data ?? new Uint8Array(0);
    const header = new Uint8Array(512);
    const put = (offset: number, text: string) => header.set(encoder.encode(text), offset);
    put(0, member.name);
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, data.length.toString(8).padStart(11, "0") + "\0");
    put(136, "00000000000\0");
    put(156, member.typeFlag ?? "0");
    put(257, "ustar\0");
    put(263, "00");
    if (member.prefix !== undefined) put(345, member.prefix);

    put(148, "        ");
    const sum = header.reduce((total, byte) => total + byte, 0);
    put(148, sum.toString(8).padStart(6, "0") + "\0 ");

    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));

  const archive = new Uint8Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    archive.set(block, offset);
    offset += block.length;
  }
  return archive;
}

/** Encodes pax extended-header records `<length> <key>=<value>\n`. */
export function encodePax(attributes: Record<string, string>): Uint8Array {
  let text = "";
  for (const [key, value] of Object.entries(attributes)) {
    const body = ` ${key}=${value}\n`;
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length++;
    text += `${length}${body}`;
  }
  return new TextEncoder().encode(text);
}

/** A fake dataset: decoded source files by name and their SHA-256 digests. */
export interface FakeSourceFiles {
  files: Map<string, Uint8Array>;
  digests: Record<string, string>;
}

/** Builds fake MNIST-format IDX files (28x28) with labels cycling over 0..9. */
export async function fakeIdxFiles(
  trainCount: number,
  testCount: number,
  seed: number,
): Promise<FakeSourceFiles> {
  const rng = new Rng(seed);
  const files = new Map<string, Uint8Array>();
  for (const [prefix, count] of [["train", trainCount], ["t10k", testCount]] as const) {
    const pixels = new Uint8Array(count * 28 * 28).map(() => rng.int(256));
    const labels = new Uint8Array(count).map((_, i) => i % 10);
    files.set(`${prefix}-images-idx3-ubyte`, encodeIdx([count, 28, 28], pixels));
    files.set(`${prefix}-labels-idx1-ubyte`, encodeIdx([count], labels));
  }
  return { files, digests: await digestsOf(files) };
}

/** Builds fake CIFAR-10 binary batches, `perBatch` records each, labels cycling over 0..9. */
export async function fakeCifarFiles(perBatch: number, seed: number): Promise<FakeSourceFiles> {
  const rng = new Rng(seed);
  const files = new Map<string, Uint8Array>();
  for (const file of DATASET_SPECS.cifar10.files) {
    const records = new Uint8Array(perBatch * CIFAR_RECORD_BYTES).map(() => rng.int(256));
    for (let i = 0; i < perBatch; i++) records[i * CIFAR_RECORD_BYTES] = i % 10;
    files.set(file.name, records);
  }
  return { files, digests: await digestsOf(files) };
}

/** Returns the SHA-256 of each file. */
export async function digestsOf(files: Map<string, Uint8Array>): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const [name, bytes] of files) digests[name] = await sha256Hex(bytes);
  return digests;
}

/** Writes each file into `directory`, gzipped when `compress` is true (name + ".gz"). */
export async function writeFiles(
  directory: string,
  files: Map<string, Uint8Array>,
  compress: boolean,
): Promise<void> {
  await Deno.mkdir(directory, { recursive: true });
  for (const [name, bytes] of files) {
    if (compress) await Deno.writeFile(`${directory}/${name}.gz`, await gzip(bytes));
    else await Deno.writeFile(`${directory}/${name}`, bytes);
  }
}

/** Builds the original `cifar-10-binary.tar.gz` layout from batch files. */
export function cifarArchive(files: Map<string, Uint8Array>): Promise<Uint8Array> {
  const members: TarMember[] = [{ name: "cifar-10-batches-bin/", typeFlag: "5" }];
  for (const [name, data] of files) members.push({ name: `cifar-10-batches-bin/${name}`, data });
  return gzip(encodeTar(members));
}

/** Collects the events passed to a progress callback. */
export function eventRecorder<T>(): { events: T[]; onProgress: (event: T) => void } {
  const events: T[] = [];
  return { events, onProgress: (event) => events.push(event) };
}
