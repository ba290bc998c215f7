import assert from "node:assert/strict";
import {
  canonicalGenotypeJson,
  DartsTextError,
  formatDartsGenotype,
  genotypeHash,
  parseDartsGenotype,
} from "./darts_text.ts";
import { DARTS_V1, DARTS_V2, publishedGenotype } from "./published.ts";

// DARTS_V2 as DARTS prints it (the published second-order CIFAR-10 cell).
const _DARTS_V2_TEXT = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), " +
  "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), " +
  "('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], " +
  "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), " +
  "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], " +
  "reduce_concat=[2, 3, 4, 5])";

/**
 * Asserts that parsing `text` fails with `fragment` in the message, at the
 * first occurrence of `token` in `text`, at its `occurrence`-th (0-based;
 * -1 for the last), or at the end of the text for `<end>`.
 */
function _assertParseError(
  text: string,
  fragment: string,
  token: string,
  occurrence = 0,
): DartsTextError {
  let offset = -1;
  if (token === "<end>") offset = text.length;
  else if (occurrence < 0) offset = text.lastIndexOf(token);
  else for (let i = 0; i <= occurrence; i++) offset = text.indexOf(token, offset + 1);
  assert.ok(offset >= 0, `token ${token} is not in the text`);

  let caught: unknown;
  try {
    parseDartsGenotype(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DartsTextError, `expected DartsTextError for ${text}`);
  assert.ok(caught.message.includes(fragment), `message "${caught.message}" lacks "${fragment}"`);
  assert.equal(caught.offset, offset, `offset of the error in ${caught.message}`);
  return caught;
}

Deno.test("parseDartsGenotype reads DARTS_V2 text", () => {
  const genotype = parseDartsGenotype(_DARTS_V2_TEXT);

  assert.deepEqual(genotype, DARTS_V2.genotype);
});

Deno.test("formatDartsGenotype prints DARTS_V2 as DARTS does", () => {
  assert.equal(formatDartsGenotype(DARTS_V2.genotype), _DARTS_V2_TEXT);
});

Deno.test("DARTS text round-trips both published cells", () => {
  for (const published of [DARTS_V1, DARTS_V2]) {
    const text = formatDartsGenotype(published.genotype);
    assert.deepEqual(parseDartsGenotype(text), published.genotype, published.name);
  }
});

Deno.test("parseDartsGenotype accepts range concats and reordered fields", () => {
  const text = _DARTS_V2_TEXT
    .replace("normal_concat=[2, 3, 4, 5]", "normal_concat=range(2, 6)")
    .replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=range(2,6)");
  const reordered = "Genotype(\n  reduce_concat=[2, 3, 4, 5],\n" +
    _DARTS_V2_TEXT.slice("Genotype(".length).replace(", reduce_concat=[2, 3, 4, 5])", ",\n)");

  assert.deepEqual(parseDartsGenotype(text), DARTS_V2.genotype);
  assert.deepEqual(parseDartsGenotype(reordered), DARTS_V2.genotype);
});

Deno.test("parseDartsGenotype points at malformed tokens", () => {
  const missingComma = _DARTS_V2_TEXT.replace("('sep_conv_3x3', 0)", "('sep_conv_3x3' 0)");
  const unknownOperation = _DARTS_V2_TEXT.replace("'dil_conv_3x3'", "'conv_7x7'");
  const unknownField = _DARTS_V2_TEXT.replace("normal_concat", "normal_cat");
  const truncated = _DARTS_V2_TEXT.slice(0, 34);
  const trailing = _DARTS_V2_TEXT + " extra";

  _assertParseError("Genotyp(normal=[])", "expected 'Genotype' but found 'Genotyp'", "Genotyp");
  _assertParseError(missingComma, "expected ',' but found '0'", "0)");
  _assertParseError(unknownOperation, "unknown operation 'conv_7x7'", "'conv_7x7'");
  _assertParseError(unknownField, "unknown field 'normal_cat'", "normal_cat");
  _assertParseError(truncated, "expected an input node index but found the end", "<end>");
  _assertParseError(trailing, "expected the end of the text but found 'extra'", "extra");
  _assertParseError("Genotype(normal='sep)", "unterminated string", "'");
  _assertParseError("Genotype(normal=[{", "unexpected character '{'", "{");
});

Deno.test("parseDartsGenotype rejects cells outside the search space", () => {
  const missingField = _DARTS_V2_TEXT.replace(", reduce_concat=[2, 3, 4, 5]", "");
  const tooFewEdges = _DARTS_V2_TEXT.replace(", ('dil_conv_3x3', 2)", "");
  const futureInput = _DARTS_V2_TEXT.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)");
  const noneOperation = _DARTS_V2_TEXT.replace("'dil_conv_3x3'", "'none'");
  const badConcat = _DARTS_V2_TEXT.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=[2, 3, 9]");
  const emptyRange = _DARTS_V2_TEXT.replace(
    "reduce_concat=[2, 3, 4, 5]",
    "reduce_concat=range(6, 2)",
  );

  _assertParseError(missingField, "missing field 'reduce_concat'", ")", -1);
  _assertParseError(tooFewEdges, "expected 8 edges (two per intermediate node), got 7", "[");
  _assertParseError(futureInput, "node 5 cannot read node 5", "5)");
  _assertParseError(noneOperation, "unknown operation 'none'", "'none'");
  _assertParseError(badConcat, "invalid genotype", "9");
  _assertParseError(emptyRange, "range(6, 2) is empty", "6, 2");
});

Deno.test("parse error shows the line with a caret", () => {
  const error = _assertParseError(
    "Genotype(\n  normal=[(1, 0)],\n)",
    "expected an operation name",
    "1,",
  );

  assert.ok(error.message.includes("line 2, column 12"), error.message);
  assert.ok(error.message.endsWith("\n    normal=[(1, 0)],\n             ^"), error.message);
});

Deno.test("genotypeHash ignores key order", () => {
  const genotype = DARTS_V2.genotype;
  const reversed = Object.fromEntries(Object.entries(genotype).reverse()) as typeof genotype;

  assert.notEqual(JSON.stringify(reversed), JSON.stringify(genotype));
  assert.equal(canonicalGenotypeJson(reversed), canonicalGenotypeJson(genotype));
  assert.equal(genotypeHash(reversed), genotypeHash(genotype));
});

Deno.test("genotypeHash is stable and distinguishes cells", () => {
  const hash = genotypeHash(DARTS_V2.genotype);

  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(genotypeHash(parseDartsGenotype(_DARTS_V2_TEXT)), hash);
  assert.notEqual(genotypeHash(DARTS_V1.genotype), hash);
  assert.ok(
    canonicalGenotypeJson(DARTS_V2.genotype).startsWith('{"normal":[["sep_conv_3x3",0],'),
    "canonical JSON sorts keys alphabetically",
  );
});

Deno.test("publishedGenotype looks up names", () => {
  assert.equal(publishedGenotype("DARTS_V2"), DARTS_V2);
  assert.equal(publishedGenotype("DARTS"), DARTS_V2);
  assert.match(DARTS_V1.source, /cnn\/genotypes\.py/);
  assert.throws(() => publishedGenotype("toString"), /expected one of DARTS_V1, DARTS_V2, DARTS/);
});
