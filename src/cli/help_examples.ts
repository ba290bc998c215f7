/**
 * Formats the examples section appended to a subcommand's help.
 *
 * @module
 */

/** Returns an "Examples:" block with one indented command per line and its purpose. */
export function examples(...lines: [command: string, purpose: string][]): string {
  const width = Math.max(...lines.map(([command]) => command.length));
  const body = lines.map(([command, purpose]) => `  ${command.padEnd(width)}  # ${purpose}`);
  return `\nExamples:\n${body.join("\n")}\n`;
}
