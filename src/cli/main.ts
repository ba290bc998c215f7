/**
 * The command-line interface: `reproduce`, `search`, `evaluate`, `tables`,
 * `data`, `bench` and `info`. Commands parse and validate options, then call
 * the library; they hold no logic of their own.
 *
 * Exit status: 0 on success, 2 on a usage error or invalid input (one
 * `error:` line, details below it), 1 on an internal error (with a stack).
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import { UserError } from "../config/errors.ts";
import { HARNESS_VERSION } from "../version.ts";
import { dataCommand } from "./data_command.ts";
import { benchCommand } from "./bench_command.ts";
import { evaluateCommand } from "./evaluate_command.ts";
import { infoCommand } from "./info_command.ts";
import { reproduceCommand } from "./reproduce_command.ts";
import { schemaCommand } from "./schema_command.ts";
import { searchCommand } from "./search_command.ts";
import { tablesCommand } from "./tables_command.ts";
import { examples } from "./help_examples.ts";

/** Builds the program with every subcommand. */
export function buildProgram(): Command {
  const program = new Command()
    .name("vinnas")
    .description(
      "Reproduce VINNAS (arXiv 2007.06103) and DARTS-style baselines on TensorFlow.js.",
    )
    .version(HARNESS_VERSION)
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();

  program.addCommand(reproduceCommand());
  program.addCommand(searchCommand());
  program.addCommand(evaluateCommand());
  program.addCommand(tablesCommand());
  program.addCommand(dataCommand());
  program.addCommand(benchCommand());
  program.addCommand(infoCommand());
  program.addCommand(schemaCommand());

  program.addHelpText(
    "after",
    examples(
      ["deno task reproduce", "run every paper table with the default profile"],
      ["deno task reproduce --profile smoke", "a minutes-long check of the whole pipeline"],
      ["deno task info", "show the backends this machine can use"],
    ),
  );

  // Subcommands inherit exitOverride so usage errors reach runCli as exceptions.
  for (const command of program.commands) command.exitOverride();
  return program as unknown as Command;
}

/** Runs the CLI on `args` and returns the exit status. */
export async function runCli(args: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

/** Prints `error` the way its kind requires and returns the exit status. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help or version text).
    return error.exitCode === 0 ? 0 : 2;
  }

  if (error instanceof UserError) {
    console.error(`error: ${error.message}`);
    for (const line of error.details) console.error(`  - ${line}`);
    return error.exitCode;
  }

  if (error instanceof Deno.errors.NotCapable) {
    // Each deno task grants access only to the folders it needs (deno.json).
    console.error(`error: ${error.message.replace(/, run again with.*$/, "")}.`);
    console.error(
      "  - Each deno task may read and write only the folders it uses and /tmp (its " +
        "--allow-read and --allow-write in deno.json). Point the folder options " +
        "(--results-dir, --tables-dir, --checkpoints-dir, --data-dir, --source-dir) there, or " +
        "run `deno run` on src/cli/main.ts with your own --allow-read and --allow-write.",
    );
    return 2;
  }

  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}

if (import.meta.main) {
  // Set the status instead of calling Deno.exit, so that the runtime shuts down
  // terminated shard workers before the process ends rather than racing them.
  // A command may already have set a status (reproduce does when runs failed).
  const status = await runCli(Deno.args);
  if (status !== 0) Deno.exitCode = status;
}
