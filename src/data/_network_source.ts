/**
 * The network source: the original download locations, or a mirror given by
 * the option `baseUrl`. Used only when the option `allowNetwork` is true.
 */

import { readCifarArchive } from "./_source_directory.ts";
import type { SourceCandidate, SourceContext, SourceFiles } from "./_source_candidate.ts";
import { gunzip } from "./gzip.ts";

/** Returns the network candidate, skipped unless `allowNetwork` is true. */
export function networkCandidate(
  allowNetwork: boolean,
  baseUrl: string | undefined,
  context: SourceContext,
): SourceCandidate {
  const base = _withTrailingSlash(baseUrl ?? context.spec.network.baseUrl);
  return {
    source: "network",
    location: base,
    skipReason: allowNetwork
      ? undefined
      : "disabled (option allowNetwork, CLI flag --allow-download)",
    read: () => readNetwork(base, context),
  };
}

/** Downloads the dataset's files from `base` and decompresses them. */
export async function readNetwork(base: string, context: SourceContext): Promise<SourceFiles> {
  const { spec } = context;
  const archive = spec.network.archive;
  if (archive !== undefined) {
    const url = new URL(archive.name, base).href;
    return readCifarArchive(await download(url, context), url, archive.memberDirectory, context);
  }

  const files: SourceFiles = new Map();
  for (const file of spec.files) {
    const url = new URL(`${file.name}.gz`, base).href;
    files.set(file.name, { bytes: await gunzip(await download(url, context), url), origin: url });
  }
  return files;
}

/** Fetches `url` into memory, reporting the bytes received as they arrive. */
export async function download(url: string, context: SourceContext): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`GET ${url} failed with HTTP ${response.status} ${response.statusText}`);
  }

  const header = response.headers.get("content-length");
  const totalBytes = header === null ? undefined : Number(header);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const report = () =>
    context.onProgress({ kind: "download", dataset: context.spec.name, url, bytes, totalBytes });

  report();
  for await (const chunk of response.body) {
    chunks.push(chunk);
    bytes += chunk.length;
    report();
  }

  if (totalBytes !== undefined && bytes !== totalBytes) {
    throw new Error(`GET ${url} ended after ${bytes} of ${totalBytes} bytes`);
  }

  const body = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function _withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
