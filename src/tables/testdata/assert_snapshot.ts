/**
 * Snapshot comparison for generated Markdown. Snapshots are `.snap` files,
 * so `deno fmt` leaves them exactly as the renderer wrote them. Set
 * `UPDATE_SNAPSHOTS=1` (and grant write access to `src/tables/testdata`) to
 * rewrite a snapshot instead of comparing, then review the diff.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Compares `actual` with the committed snapshot `testdata/<name>` exactly. */
export async function assertSnapshot(actual: string, name: string): Promise<void> {
  const url = new URL(`./${name}`, import.meta.url);

  if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
    await Deno.writeTextFile(url, actual);
    return;
  }

  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    assert.fail(`Snapshot ${url.pathname} is missing. Run the test with UPDATE_SNAPSHOTS=1.`);
  }

  assert.equal(actual, expected, `Output differs from snapshot ${url.pathname}.`);
}
