import assert from "node:assert/strict";
import { firstSyntaxErrorOffset, JsonSyntaxError, parseJson } from "./json_syntax.ts";

Deno.test("parseJson returns the parsed value", () => {
  assert.deepEqual(parseJson('{"a": [1, -2.5e3, true, null, "x\\"y"]}'), {
    a: [1, -2500, true, null, 'x"y'],
  });
});

const _CASES: Array<{ text: string; line: number; column: number; reason: RegExp }> = [
  { text: '{"a": 1,}', line: 1, column: 9, reason: /property name/ },
  { text: '{\n  "a": tru\n}', line: 2, column: 11, reason: /^Unexpected token '\\n'$/ },
  { text: '{\n  "a": [1, 2\n', line: 3, column: 1, reason: /after array element/ },
  { text: "", line: 1, column: 1, reason: /Unexpected end of JSON input/ },
  { text: '{"a": 1}\n}', line: 2, column: 1, reason: /non-whitespace character/ },
  // V8 shortens the input it echoes for long texts: "...", then a window.
  {
    text: `{\n${'  "padding": 1,\n'.repeat(20)}  "flip": tru,\n  "end": 1\n}`,
    line: 22,
    column: 14,
    reason: /^Unexpected token ','$/,
  },
];

for (const { text, line, column, reason } of _CASES) {
  Deno.test(`parseJson locates ${JSON.stringify(text)}`, () => {
    assert.throws(
      () => parseJson(text),
      (error: unknown) => {
        assert.ok(error instanceof JsonSyntaxError);
        assert.equal(error.line, line, "line");
        assert.equal(error.column, column, "column");
        assert.match(error.reason, reason);
        assert.doesNotMatch(error.message, /is not valid JSON|\n/, "the input was echoed");
        return true;
      },
    );
  });
}

Deno.test("firstSyntaxErrorOffset accepts valid JSON", () => {
  assert.equal(firstSyntaxErrorOffset(' {"a": {"b": []}, "c": "\\u00e9"} '), null);
});
