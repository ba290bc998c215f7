/**
 * Version facts recorded in result files. `HARNESS_VERSION` enters every
 * run id: bump it when a change alters the numbers a run produces, so old
 * results stop counting as complete for the new code.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import denoConfig from "../deno.json" with { type: "json" };

/** Version of the harness, from deno.json. */
export const HARNESS_VERSION: string = denoConfig.version;

/** Version of TensorFlow.js in use. */
export const TFJS_VERSION: string = tf.version.tfjs;
