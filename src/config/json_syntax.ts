/**
 * Parses JSON and, on a syntax error, reports the line and column. V8's
 * messages carry a position for most errors, but not for an unexpected end
 * of input or an invalid literal such as `tru`, where the message instead
 * repeats the whole input. A small scanner finds the offset in those cases.
 *
 * @module
 */

/** A JSON syntax error with its 1-based line and column. */
export class JsonSyntaxError extends SyntaxError {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = "JsonSyntaxError";
  }
}

/** Parses `text` as JSON; throws a {@link JsonSyntaxError} naming the line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const offset = firstSyntaxErrorOffset(text) ?? text.length;
    const { line, column } = _lineAndColumn(text, offset);
    throw new JsonSyntaxError(_reason(error.message), line, column);
  }
}

/** Returns the offset of the first JSON syntax error in `text`, or null when it parses. */
export function firstSyntaxErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new _Stop(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const expect = (character: string) => {
    skipWhitespace();
    if (text[i] !== character) fail();
    i++;
  };

  const string = () => {
    i++;
    while (i < text.length) {
      const character = text[i];
      if (character === '"') {
        i++;
        return;
      }
      if (character < " ") fail();
      i += character === "\\" ? 2 : 1;
    }
    fail();
  };

  const value = (): void => {
    skipWhitespace();
    const character = text[i];
    if (character === "{") {
      return container("}", () => {
        skipWhitespace();
        if (text[i] !== '"') fail();
        string();
        expect(":");
        value();
      });
    }
    if (character === "[") return container("]", value);
    if (character === '"') return string();

    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) {
      i = number.lastIndex;
      return;
    }
    // Like V8, report a broken literal such as `tru,` at its first wrong character.
    const literal = ["true", "false", "null"].find((word) => word[0] === character);
    if (literal === undefined) fail();
    let matched = 0;
    while (matched < literal!.length && text[i + matched] === literal![matched]) matched++;
    i += matched;
    if (matched < literal!.length) fail();
  };

  const container = (close: string, member: () => void) => {
    i++;
    skipWhitespace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipWhitespace();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ",") fail();
      i++;
    }
  };

  try {
    value();
    skipWhitespace();
    if (i < text.length) fail();
    return null;
  } catch (stop) {
    if (stop instanceof _Stop) return Math.min(stop.offset, text.length);
    throw stop;
  }
}

class _Stop {
  constructor(readonly offset: number) {}
}

/**
 * V8's message without its position (given separately) or its copy of the
 * input, on one line: an unexpected newline token is shown as \n.
 */
function _reason(message: string): string {
  return message
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?$/, "")
    .replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, "")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r")
    .replaceAll("\t", "\\t");
}

function _lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
