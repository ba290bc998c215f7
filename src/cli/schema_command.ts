/**
 * `schema`: write `experiments/experiment.schema.json` from the zod
 * schemas, or with `--check` fail when the committed file is stale.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { EXPERIMENT_JSON_SCHEMA_PATH, experimentJsonSchema } from "../config/json_schema.ts";
import { examples } from "./help_examples.ts";

/** Builds the `schema` subcommand. */
export function schemaCommand() {
  return new Command("schema")
    .description(`Regenerate ${EXPERIMENT_JSON_SCHEMA_PATH} for editors.`)
    .option("--check", "write nothing; exit 1 when the committed schema is stale")
    .addHelpText("after", examples(["deno task schema", "after changing a settings schema"]))
    .exitOverride()
    .action(async (options) => {
      const text = experimentJsonSchema();
      if (!options.check) {
        await Deno.writeTextFile(EXPERIMENT_JSON_SCHEMA_PATH, text);
        console.log(`wrote ${EXPERIMENT_JSON_SCHEMA_PATH}`);
        return;
      }

      let committed = "";
      try {
        committed = await Deno.readTextFile(EXPERIMENT_JSON_SCHEMA_PATH);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      if (committed !== text) {
        throw new UserError(
          `${EXPERIMENT_JSON_SCHEMA_PATH} is stale; run \`deno task schema\` and commit it.`,
          [],
          1,
        );
      }
      console.log(`${EXPERIMENT_JSON_SCHEMA_PATH} is up to date`);
    });
}
