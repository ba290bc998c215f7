/** Returns an environment variable, or undefined when it is unset or `--allow-env` does not cover it. */
export function optionalEnvironment(variable: string): string | undefined {
  try {
    return Deno.env.get(variable);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}
