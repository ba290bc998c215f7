/**
 * `info`: versions and the backends this machine can initialise, with the
 * WebGPU adapter and whether it is a software fallback.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { probeBackends } from "../engine/backend.ts";
import { gitState, runtimeFacts } from "../results/provenance.ts";
import { HARNESS_VERSION } from "../version.ts";
import { examples } from "./help_examples.ts";

/** Builds the `info` subcommand. */
export function infoCommand() {
  return new Command("info")
    .description("Print versions and the tfjs backends this machine can initialise.")
    .option("--json", "print the facts as JSON")
    .addHelpText(
      "after",
      examples(["deno task info", "table of backends"], ["deno task info --json", "for scripts"]),
    )
    .exitOverride()
    .action(async (options) => {
      const facts = {
        harness: HARNESS_VERSION,
        ...runtimeFacts(),
        git: await gitState(),
        backends: await probeBackends(),
      };

      if (options.json) {
        console.log(JSON.stringify(facts, null, 2));
        return;
      }

      console.log(`vinnas-tfjs ${facts.harness}`);
      console.log(`deno ${facts.deno}  v8 ${facts.v8}  typescript ${facts.typescript}`);
      console.log(`tfjs ${facts.tfjs}  platform ${facts.platform}  cpus ${facts.cpuCount ?? "?"}`);
      console.log(
        `git ${facts.git.commit ?? "unknown"}${facts.git.dirty ? " (modified)" : ""}`,
      );
      console.log("");
      console.log("backend  available  details");
      for (const probe of facts.backends) {
        const adapter = probe.adapter === null
          ? ""
          : `adapter "${probe.adapter.description}"${
            probe.adapter.isFallbackAdapter ? " (software fallback)" : ""
          }`;
        const details = [adapter, probe.reason ?? ""].filter((part) => part !== "").join("; ");
        console.log(
          `${probe.backend.padEnd(8)} ${(probe.available ? "yes" : "no").padEnd(10)} ${details}`,
        );
      }
    });
}
