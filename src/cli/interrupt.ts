/**
 * Ctrl-C handling for long runs. The first SIGINT aborts the run where the
 * training loops check the signal (between search steps, after evaluation
 * epochs), so checkpoints stay consistent and no result is written. A second
 * SIGINT exits at once.
 *
 * @module
 */

import { UserError } from "../config/errors.ts";
import { logger } from "../util/log.ts";

const log = logger("cli");

/** Installs the SIGINT handler; `dispose` removes it. */
export function abortOnInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();

  const handler = () => {
    if (controller.signal.aborted) {
      log.warn("second interrupt: exiting now");
      Deno.exit(130);
    }
    log.warn(
      "interrupted: stopping after the current search step or evaluation epoch; checkpoints are kept",
    );
    controller.abort(
      new UserError(
        "Interrupted. Run the same command again to resume from the last checkpoint.",
        [],
        130,
      ),
    );
  };

  try {
    Deno.addSignalListener("SIGINT", handler);
  } catch {
    // Signals are not available on every platform (Windows supports only a few).
    return { signal: controller.signal, dispose: () => {} };
  }
  return {
    signal: controller.signal,
    dispose: () => Deno.removeSignalListener("SIGINT", handler),
  };
}
