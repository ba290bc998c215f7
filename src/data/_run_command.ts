/** Running the package tools (npm, apt-get, dpkg-deb), with errors that name the fix. */

/**
 * Runs `command` with `args` in `cwd` and returns its standard output.
 * Throws when the program is missing, not permitted or exits with an error;
 * the message ends with the last lines of its standard error.
 */
export async function runCommand(command: string, args: string[], cwd: string): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${command} is not installed or not on PATH`, { cause: error });
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new Error(`running ${command} needs the permission --allow-run=${command}`, {
        cause: error,
      });
    }
    throw error;
  }

  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim().split("\n").slice(-4).join(" | ");
    throw new Error(
      `\`${command} ${args.join(" ")}\` exited with code ${output.code}: ${
        stderr || "(no output)"
      }`,
    );
  }

  return decoder.decode(output.stdout);
}
