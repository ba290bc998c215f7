/**
 * Per-channel mean and standard deviation of uint8 images, with pixel values
 * scaled to [0, 1], as used to normalise network inputs.
 *
 * @module
 */

/** Per-channel mean and population standard deviation. */
export interface ChannelStatistics {
  mean: number[];
  std: number[];
}

/**
 * Computes the statistics of NHWC pixels `[count, height, width, channels]`
 * over all images and positions. The sums run over exact per-channel
 * histograms of the 256 pixel values, which keeps them fast and free of
 * rounding drift over millions of pixels.
 */
export function channelStatistics(images: Uint8Array, channels: number): ChannelStatistics {
  if (!Number.isInteger(channels) || channels < 1 || images.length % channels !== 0) {
    throw new RangeError(
      `Cannot compute channel statistics of ${images.length} bytes with ${channels} channels: ` +
        "the length must be a positive multiple of the channel count.",
    );
  }

  const histograms = Array.from({ length: channels }, () => new Float64Array(256));
  for (let channel = 0; channel < channels; channel++) {
    const histogram = histograms[channel];
    for (let i = channel; i < images.length; i += channels) histogram[images[i]]++;
  }

  const mean: number[] = [];
  const std: number[] = [];
  for (const histogram of histograms) {
    let count = 0;
    let sum = 0;
    let sumOfSquares = 0;
    for (let value = 0; value < 256; value++) {
      const scaled = value / 255;
      count += histogram[value];
      sum += histogram[value] * scaled;
      sumOfSquares += histogram[value] * scaled * scaled;
    }

    const channelMean = sum / count;
    mean.push(channelMean);
    std.push(Math.sqrt(Math.max(0, sumOfSquares / count - channelMean * channelMean)));
  }

  return { mean, std };
}
