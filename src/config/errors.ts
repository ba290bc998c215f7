/**
 * User errors: problems the user can fix (a malformed experiment file, an
 * unknown profile, a missing dataset). The CLI prints them as one `error:`
 * line, with details below, and exits with status 2; any other exception is
 * an internal error and exits 1 with its stack.
 *
 * @module
 */

/** An error caused by user input, reported without a stack trace. */
export class UserError extends Error {
  /** Extra lines printed below the `error:` line (for example zod issues). */
  readonly details: readonly string[];
  /** Exit status: 2 for invalid input, 1 for a failed check such as stale tables, 130 for Ctrl-C. */
  readonly exitCode: number;

  constructor(message: string, details: readonly string[] = [], exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.details = details;
    this.exitCode = exitCode;
  }
}
