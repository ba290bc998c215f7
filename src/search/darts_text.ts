/**
 * Text forms of a genotype: DARTS's Python `Genotype(...)` repr, as printed by
 * quark0/darts `train_search.py` and written in its `cnn/genotypes.py`, and a
 * canonical JSON whose SHA-256 identifies a genotype.
 *
 * The parser reads the text as data with a small tokenizer and never
 * evaluates it. It accepts both forms of a concat list, `[2, 3, 4, 5]` and
 * `range(2, 6)`, and reports errors at the offending token.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type Genotype, GENOTYPE_VERSION, type GenotypeEdge, GenotypeSchema } from "./genotype.ts";
import { PRIMITIVES } from "./primitives.ts";

/** A DARTS genotype text that cannot be read; `offset` is the 0-based index of the offending token. */
export class DartsTextError extends SyntaxError {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "DartsTextError";
    this.offset = offset;
  }
}

type _TokenKind = "name" | "int" | "string" | "punct" | "end";

interface _Token {
  kind: _TokenKind;
  text: string;
  offset: number;
}

const _FIELDS = ["normal", "normal_concat", "reduce", "reduce_concat"] as const;
type _Field = typeof _FIELDS[number];

/**
 * Parses DARTS's genotype text, for example
 * `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=range(2, 6))`.
 * Fields may come in any order, but all four are required. Throws
 * {@link DartsTextError} with the position and a caret line when the text
 * is malformed or describes a cell outside the search space.
 */
export function parseDartsGenotype(text: string): Genotype {
  const parser = new _Parser(text);
  const fields = parser.genotype();

  const edgesOf = (field: "normal" | "reduce") => fields[field].map((edge) => edge.value);
  const candidate = {
    version: GENOTYPE_VERSION,
    normal: edgesOf("normal"),
    normalConcat: fields.normal_concat.value,
    reduce: edgesOf("reduce"),
    reduceConcat: fields.reduce_concat.value,
  };

  // Structural rules (edge count, which inputs a node may read) live in the
  // schema; map its first issue back to the token it concerns.
  const result = GenotypeSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    const offset = _offsetOfIssue(issue.path, fields);
    throw parser.errorAt(offset, `invalid genotype: ${issue.message}`);
  }
  return result.data;
}

/**
 * Prints a genotype as DARTS's Python repr with list concats, the form of
 * `cnn/genotypes.py`, so `parseDartsGenotype(formatDartsGenotype(g))` equals `g`.
 */
export function formatDartsGenotype(genotype: Genotype): string {
  const edges = (cell: readonly GenotypeEdge[]) =>
    `[${cell.map(([operation, input]) => `('${operation}', ${input})`).join(", ")}]`;
  const concat = (nodes: readonly number[]) => `[${nodes.join(", ")}]`;

  return `Genotype(normal=${edges(genotype.normal)}, normal_concat=${
    concat(genotype.normalConcat)
  }, reduce=${edges(genotype.reduce)}, reduce_concat=${concat(genotype.reduceConcat)})`;
}

/**
 * Returns the JSON of `genotype` with object keys sorted at every level and
 * no whitespace. Arrays keep their order, because edge and concat order
 * change the network (parameter layout and channel order).
 */
export function canonicalGenotypeJson(genotype: Genotype): string {
  return JSON.stringify(_sortKeys(genotype));
}

/** Returns the SHA-256 (lowercase hex) of {@link canonicalGenotypeJson}. */
export function genotypeHash(genotype: Genotype): string {
  return createHash("sha256").update(canonicalGenotypeJson(genotype)).digest("hex");
}

function _sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(_sortKeys);
  if (value !== null && typeof value === "object") {
    // Compare by UTF-16 code units, not locale, so the order is the same everywhere.
    const entries = Object.entries(value as Record<string, unknown>);
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries.map(([key, inner]) => [key, _sortKeys(inner)]));
  }
  return value;
}

interface _Located<T> {
  value: T;
  offset: number;
  /** Offsets of the parts of `value` (edge operation and input, or concat items). */
  parts: number[];
}

interface _Fields {
  normal: _Located<GenotypeEdge>[];
  reduce: _Located<GenotypeEdge>[];
  normal_concat: _Located<number[]>;
  reduce_concat: _Located<number[]>;
  /** Offset of each field's value. */
  offsets: Record<_Field, number>;
}

function _offsetOfIssue(path: PropertyKey[], fields: _Fields): number {
  const [cell, index, part] = path;
  if (cell === "normal" || cell === "reduce") {
    if (typeof index !== "number") return fields.offsets[cell];
    const edge = fields[cell][index];
    return typeof part === "number" ? edge.parts[part] : edge.offset;
  }
  if (cell === "normalConcat" || cell === "reduceConcat") {
    const located = cell === "normalConcat" ? fields.normal_concat : fields.reduce_concat;
    return typeof index === "number" ? located.parts[index] ?? located.offset : located.offset;
  }
  return 0;
}

class _Parser {
  private readonly text: string;
  private readonly tokens: _Token[];
  private position = 0;

  constructor(text: string) {
    this.text = text;
    this.tokens = this.tokenize();
  }

  genotype(): _Fields {
    const head = this.expect("name", "'Genotype'");
    if (head.text !== "Genotype") {
      throw this.errorAt(head.offset, `expected 'Genotype' but found '${head.text}'`);
    }
    this.expectPunct("(");

    const seen = new Map<_Field, number>();
    const fields: Partial<_Fields> = {};
    while (!this.peekPunct(")")) {
      const name = this.expect("name", "a field name");
      if (!(_FIELDS as readonly string[]).includes(name.text)) {
        throw this.errorAt(
          name.offset,
          `unknown field '${name.text}': expected one of ${_FIELDS.join(", ")}`,
        );
      }
      const field = name.text as _Field;
      if (seen.has(field)) throw this.errorAt(name.offset, `field '${field}' appears twice`);
      this.expectPunct("=");
      seen.set(field, this.current().offset);

      if (field === "normal" || field === "reduce") fields[field] = this.edgeList();
      else fields[field] = this.concat();

      if (!this.peekPunct(")")) this.expectPunct(",");
    }
    const close = this.expectPunct(")");

    for (const field of _FIELDS) {
      if (!seen.has(field)) throw this.errorAt(close.offset, `missing field '${field}'`);
    }
    this.expect("end", "the end of the text");
    return { ...fields, offsets: Object.fromEntries(seen) } as _Fields;
  }

  private edgeList(): _Located<GenotypeEdge>[] {
    const edges: _Located<GenotypeEdge>[] = [];
    this.expectPunct("[");
    while (!this.peekPunct("]")) {
      const open = this.expectPunct("(");
      const operation = this.expect("string", "an operation name in quotes");
      if (
        !(PRIMITIVES as readonly string[]).includes(operation.text) || operation.text === "none"
      ) {
        const allowed = PRIMITIVES.filter((primitive) => primitive !== "none").join(", ");
        throw this.errorAt(
          operation.offset,
          `unknown operation '${operation.text}': expected one of ${allowed}`,
        );
      }
      this.expectPunct(",");
      const input = this.expect("int", "an input node index");
      if (this.peekPunct(",")) this.expectPunct(",");
      this.expectPunct(")");

      edges.push({
        value: [operation.text as GenotypeEdge[0], Number(input.text)],
        offset: open.offset,
        parts: [operation.offset, input.offset],
      });
      if (!this.peekPunct("]")) this.expectPunct(",");
    }
    this.expectPunct("]");
    return edges;
  }

  private concat(): _Located<number[]> {
    const start = this.current();

    // range(stop) or range(start, stop), as Python prints range objects.
    if (start.kind === "name") {
      if (start.text !== "range") {
        throw this.errorAt(start.offset, `expected a list or range(...) but found '${start.text}'`);
      }
      this.position += 1;
      this.expectPunct("(");
      const first = this.expect("int", "an integer");
      let from = 0;
      let to = Number(first.text);
      if (this.peekPunct(",")) {
        this.expectPunct(",");
        from = to;
        to = Number(this.expect("int", "an integer").text);
      }
      this.expectPunct(")");
      if (to <= from) throw this.errorAt(first.offset, `range(${from}, ${to}) is empty`);
      const value = Array.from({ length: to - from }, (_, i) => from + i);
      return { value, offset: start.offset, parts: value.map(() => start.offset) };
    }

    const close = this.peekPunct("(") ? ")" : "]";
    if (close === ")") this.expectPunct("(");
    else this.expectPunct("[");
    const value: number[] = [];
    const parts: number[] = [];
    while (!this.peekPunct(close)) {
      const item = this.expect("int", "a node index");
      value.push(Number(item.text));
      parts.push(item.offset);
      if (!this.peekPunct(close)) this.expectPunct(",");
    }
    this.expectPunct(close);
    return { value, offset: start.offset, parts };
  }

  private current(): _Token {
    return this.tokens[this.position];
  }

  private peekPunct(text: string): boolean {
    const token = this.current();
    return token.kind === "punct" && token.text === text;
  }

  private expectPunct(text: string): _Token {
    const token = this.current();
    if (token.kind !== "punct" || token.text !== text) {
      throw this.errorAt(token.offset, `expected '${text}' but found ${_describe(token)}`);
    }
    this.position += 1;
    return token;
  }

  private expect(kind: _TokenKind, description: string): _Token {
    const token = this.current();
    if (token.kind !== kind) {
      throw this.errorAt(token.offset, `expected ${description} but found ${_describe(token)}`);
    }
    this.position += 1;
    return token;
  }

  errorAt(offset: number, problem: string): DartsTextError {
    // Show the line of the offending token with a caret under it.
    const lineStart = this.text.lastIndexOf("\n", offset - 1) + 1;
    const lineEnd = this.text.indexOf("\n", offset);
    const line = this.text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
    const lineNumber = this.text.slice(0, lineStart).split("\n").length;
    const column = offset - lineStart + 1;
    const message = `Cannot parse DARTS genotype text at line ${lineNumber}, column ${column}: ` +
      `${problem}.\n  ${line}\n  ${" ".repeat(column - 1)}^`;
    return new DartsTextError(message, offset);
  }

  private tokenize(): _Token[] {
    const tokens: _Token[] = [];
    const text = this.text;
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (/\s/.test(char)) {
        i += 1;
        continue;
      }

      if ("()[],=".includes(char)) {
        tokens.push({ kind: "punct", text: char, offset: i });
        i += 1;
        continue;
      }

      if (char === "'" || char === '"') {
        const end = text.indexOf(char, i + 1);
        if (end === -1) throw this.errorAt(i, `unterminated string starting with ${char}`);
        tokens.push({ kind: "string", text: text.slice(i + 1, end), offset: i });
        i = end + 1;
        continue;
      }

      const word = /^[A-Za-z_][A-Za-z0-9_]*|^-?[0-9]+/.exec(text.slice(i));
      if (word === null) throw this.errorAt(i, `unexpected character '${char}'`);
      const isInt = /^-?[0-9]/.test(word[0]);
      tokens.push({ kind: isInt ? "int" : "name", text: word[0], offset: i });
      i += word[0].length;
    }

    tokens.push({ kind: "end", text: "", offset: text.length });
    return tokens;
  }
}

function _describe(token: _Token): string {
  switch (token.kind) {
    case "end":
      return "the end of the text";
    case "string":
      return `the string '${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}
