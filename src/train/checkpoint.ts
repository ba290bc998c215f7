/**
 * Checkpoints of a training run in one file, written atomically: the file
 * is written under a temporary name in the same folder and renamed over the
 * old one, so a killed process leaves either the previous checkpoint or the
 * new one, never a mix.
 *
 * Layout: 8 bytes magic `VNASCKP1`, a little-endian uint32 header length,
 * the UTF-8 JSON header, then float32 data of every tensor in header order.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParameterStore } from "../nn/parameter_store.ts";
import type { OptimizerState } from "./optimizer.ts";

const _MAGIC = "VNASCKP1";

/** Contents of a checkpoint besides the variables. */
export interface CheckpointContents<Meta> {
  /** Store name → values of every registered variable (buffers included). */
  variables: Record<string, { shape: number[]; values: Float32Array }>;
  /** Optimizer name → state, with slot keys translated to store names. */
  optimizers: Record<string, OptimizerState>;
  /** Loop state (epoch, RNG state, trajectory so far); JSON-serialisable. */
  meta: Meta;
}

interface _Header<Meta> {
  meta: Meta;
  tensors: { key: string; shape: number[]; length: number }[];
  optimizers: Record<string, { kind: OptimizerState["kind"]; step: number }>;
}

/** Reads every variable of `store` (async, as webgpu requires). */
export async function readVariables(
  store: ParameterStore,
): Promise<CheckpointContents<unknown>["variables"]> {
  const variables: CheckpointContents<unknown>["variables"] = {};
  for (const entry of store.entries()) {
    variables[entry.name] = {
      shape: entry.variable.shape,
      values: (await entry.variable.data()) as Float32Array,
    };
  }
  return variables;
}

/**
 * Assigns stored values to the variables of `store`. Every variable must be
 * present with the same shape, or the checkpoint belongs to another network.
 */
export function assignVariables(
  store: ParameterStore,
  variables: CheckpointContents<unknown>["variables"],
): void {
  for (const entry of store.entries()) {
    const saved = variables[entry.name];
    if (saved === undefined) {
      throw new Error(
        `Cannot restore checkpoint: variable "${entry.name}" is missing. The checkpoint was ` +
          `written by a different network configuration; delete it to restart the run.`,
      );
    }
    if (saved.shape.join(",") !== entry.variable.shape.join(",")) {
      throw new Error(
        `Cannot restore checkpoint: variable "${entry.name}" has shape [${saved.shape}] in the ` +
          `checkpoint but [${entry.variable.shape}] in the network. Delete the checkpoint to restart.`,
      );
    }
    tf.tidy(() => entry.variable.assign(tf.tensor(saved.values, saved.shape, "float32")));
  }
}

/** Writes a checkpoint to `path` atomically. */
export async function writeCheckpoint<Meta>(
  path: string,
  contents: CheckpointContents<Meta>,
): Promise<void> {
  const tensors: { key: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, variable] of Object.entries(contents.variables)) {
    tensors.push({ key: `variable:${name}`, shape: variable.shape, values: variable.values });
  }
  for (const [optimizer, state] of Object.entries(contents.optimizers)) {
    for (const [name, slots] of Object.entries(state.slots)) {
      for (const [slot, values] of Object.entries(slots)) {
        tensors.push({ key: `slot:${optimizer}:${slot}:${name}`, shape: [values.length], values });
      }
    }
  }

  const header: _Header<Meta> = {
    meta: contents.meta,
    tensors: tensors.map(({ key, shape, values }) => ({ key, shape, length: values.length })),
    optimizers: Object.fromEntries(
      Object.entries(contents.optimizers).map(([name, state]) => [
        name,
        { kind: state.kind, step: state.step },
      ]),
    ),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataBytes = tensors.reduce((sum, tensor) => sum + tensor.values.length * 4, 0);

  const buffer = new Uint8Array(12 + headerBytes.length + dataBytes);
  buffer.set(new TextEncoder().encode(_MAGIC), 0);
  new DataView(buffer.buffer).setUint32(8, headerBytes.length, true);
  buffer.set(headerBytes, 12);
  let offset = 12 + headerBytes.length;
  for (const tensor of tensors) {
    const bytes = new Uint8Array(
      tensor.values.buffer,
      tensor.values.byteOffset,
      tensor.values.byteLength,
    );
    buffer.set(bytes, offset);
    offset += bytes.length;
  }

  await writeFileAtomic(path, buffer);
}

/** Reads a checkpoint, or returns null when `path` does not exist. */
export async function readCheckpoint<Meta>(path: string): Promise<CheckpointContents<Meta> | null> {
  let buffer: Uint8Array;
  try {
    buffer = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }

  const magic = new TextDecoder().decode(buffer.subarray(0, 8));
  if (magic !== _MAGIC || buffer.length < 12) {
    throw new Error(
      `Cannot read checkpoint ${path}: it does not start with ${_MAGIC}. Delete it to restart the run.`,
    );
  }
  const headerLength = new DataView(buffer.buffer, buffer.byteOffset).getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(buffer.subarray(12, 12 + headerLength)),
  ) as _Header<Meta>;

  const expected = 12 + headerLength + header.tensors.reduce((sum, t) => sum + t.length * 4, 0);
  if (expected !== buffer.length) {
    throw new Error(
      `Cannot read checkpoint ${path}: expected ${expected} bytes but found ${buffer.length}. ` +
        `Delete it to restart the run.`,
    );
  }

  // Copy into an aligned buffer: the data offset is not a multiple of 4.
  const data = new Float32Array(buffer.slice(12 + headerLength).buffer);
  const contents: CheckpointContents<Meta> = { variables: {}, optimizers: {}, meta: header.meta };
  for (const [name, info] of Object.entries(header.optimizers)) {
    contents.optimizers[name] = { kind: info.kind, step: info.step, slots: {} };
  }

  let offset = 0;
  for (const tensor of header.tensors) {
    const values = data.slice(offset, offset + tensor.length);
    offset += tensor.length;

    if (tensor.key.startsWith("variable:")) {
      contents.variables[tensor.key.slice("variable:".length)] = { shape: tensor.shape, values };
      continue;
    }
    const [, optimizer, slot, ...nameParts] = tensor.key.split(":");
    const name = nameParts.join(":");
    contents.optimizers[optimizer].slots[name] ??= {};
    contents.optimizers[optimizer].slots[name][slot] = values;
  }
  return contents;
}

/**
 * Writes `data` to `path` through a temporary file in the same folder and a
 * rename, so readers never see a partial file.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${Deno.pid}.${Date.now()}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;

  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }

  await Deno.rename(temporary, path);
}
