/**
 * `tables`: regenerate `paper-tables/*.md` from the result files and the
 * reference values, or with `--check` fail when the committed tables differ
 * from what the results give.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { checkTables, renderAllTables } from "../tables/mod.ts";
import { setLogLevel } from "../util/log.ts";
import { logLevelOption, resultsDirOption } from "./common_options.ts";
import { examples } from "./help_examples.ts";

/** Builds the `tables` subcommand. */
export function tablesCommand() {
  return new Command("tables")
    .description("Regenerate the paper tables from results/ and paper-tables/reference.json.")
    .option("--check", "write nothing; exit 1 when a committed table is stale or missing")
    .addOption(resultsDirOption())
    .addOption(
      new Option("--references <file>", "reported reference values").default(
        "paper-tables/reference.json",
      ),
    )
    .addOption(
      new Option("--tables-dir <dir>", "folder of the Markdown tables").default("paper-tables"),
    )
    // The earlier name of this command's --tables-dir, kept so that existing scripts work.
    .addOption(new Option("--out-dir <dir>").hideHelp())
    .addOption(logLevelOption())
    .addHelpText(
      "after",
      examples(
        ["deno task tables", "rewrite paper-tables/*.md"],
        ["deno task tables --check", "what CI runs: fail when a table is stale"],
      ),
    )
    .exitOverride()
    .action(async (options) => {
      if (options.logLevel !== undefined) setLogLevel(options.logLevel);
      const tablesDir = options.outDir ?? options.tablesDir;

      if (!options.check) {
        const written = await renderAllTables(
          options.resultsDir,
          options.references,
          tablesDir,
        );
        console.log(`wrote ${written.length} table(s): ${written.join(", ") || "none"}`);
        return;
      }

      const stale = await checkTables(options.resultsDir, options.references, tablesDir);
      if (stale.length > 0) {
        throw new UserError(
          `${stale.length} table(s) are stale; run \`deno task tables\` and commit the result.`,
          stale.map((table) => `${table.path}: ${table.reason}`),
          1,
        );
      }
      console.log("tables are up to date");
    });
}
