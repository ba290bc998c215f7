import assert from "node:assert/strict";
import { channelStatistics } from "./channel_statistics.ts";

Deno.test("channelStatistics separates interleaved channels", () => {
  // Two pixels of three channels: channel 0 is {0, 255}, channel 1 is {51, 51}, channel 2 is {255, 255}.
  const images = Uint8Array.of(0, 51, 255, 255, 51, 255);

  const { mean, std } = channelStatistics(images, 3);

  // Tolerance 1e-12: the values are exact up to float64 rounding.
  assert.ok(Math.abs(mean[0] - 0.5) < 1e-12, `mean[0] ${mean[0]}`);
  assert.ok(Math.abs(mean[1] - 0.2) < 1e-12, `mean[1] ${mean[1]}`);
  assert.ok(Math.abs(mean[2] - 1) < 1e-12, `mean[2] ${mean[2]}`);
  assert.ok(Math.abs(std[0] - 0.5) < 1e-12, `std[0] ${std[0]}`);
  assert.ok(Math.abs(std[1]) < 1e-7, `std[1] ${std[1]}`);
  assert.ok(Math.abs(std[2]) < 1e-7, `std[2] ${std[2]}`);
});

Deno.test("channelStatistics rejects a length that is not a multiple of channels", () => {
  assert.throws(
    () => channelStatistics(new Uint8Array(5), 3),
    /positive multiple of the channel count/,
  );
});
