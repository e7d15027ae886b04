// Unit tests of the content model: byte offsets, the live code check and
// the next missing code, which Ctrl+T and the submit guard rely on.
import { create } from "@bufbuild/protobuf";
import { CodeKind, CodeRefSchema, ContentSchema } from "../src/gen/tessera/v1/common_pb";
import { byteLength, checkCodes, direction, indexAtByte, nextMissing } from "../src/content";

let failures = 0;
function expect(cond: boolean, what: string): void {
  if (!cond) { failures++; console.error("FAILED: " + what); }
}

const c = (text: string, codes: [number, CodeKind, number][]) => create(ContentSchema, {
  text, codes: codes.map(([id, kind, offset]) => create(CodeRefSchema, { id, kind, offset })),
});
const O = CodeKind.OPEN, C = CodeKind.CLOSE, S = CodeKind.STANDALONE;

// Byte offsets: 2-byte é, 3-byte Arabic and CJK, 4-byte astral characters.
expect(byteLength("é") === 2 && byteLength("ب") === 2 && byteLength("漢") === 3 && byteLength("𝄞") === 4, "UTF-8 lengths");
const s = "aé漢𝄞b";
expect(indexAtByte(s, 0) === 0 && indexAtByte(s, 1) === 1 && indexAtByte(s, 3) === 2 && indexAtByte(s, 6) === 3 &&
  indexAtByte(s, 10) === 5 && indexAtByte(s, 11) === 6, "string index at a byte offset, astral characters included");

const src = c("The welcome report.", [[1, O, 4], [1, C, 11], [2, S, 19]]);
expect(checkCodes(src, c("Le rapport", [[1, O, 0], [1, C, 2], [2, S, 9]])).length === 0, "complete codes pass");
const missing = checkCodes(src, c("Le rapport", [[1, O, 0]]));
expect(missing.some((p) => p.key === "qa.missing" && p.id === 1) && missing.some((p) => p.key === "qa.missing" && p.id === 2),
  "missing close and standalone codes are named: " + JSON.stringify(missing));
const crossed = checkCodes(c("ab", [[1, O, 0], [2, O, 1], [2, C, 1], [1, C, 2]]), c("ab", [[1, O, 0], [2, O, 1], [1, C, 1], [2, C, 2]]));
expect(crossed.some((p) => p.key === "qa.crossed"), "crossed pairs are found: " + JSON.stringify(crossed));
const backwards = checkCodes(src, c("x", [[1, C, 0], [1, O, 1], [2, S, 1]]));
expect(backwards.some((p) => p.key === "qa.crossed" && p.id === 1), "a close before its open is found");
const dup = checkCodes(src, c("x", [[1, O, 0], [1, C, 0], [2, S, 0], [2, S, 1]]));
expect(dup.some((p) => p.key === "qa.duplicated" && p.id === 2), "a duplicated code is found");
const added = checkCodes(src, c("x", [[1, O, 0], [1, C, 0], [2, S, 0], [7, S, 1]]));
expect(added.some((p) => p.key === "qa.added" && p.id === 7), "a code not in the source is found");

// Ctrl+T: the first source code, in source order, the target lacks.
const n0 = nextMissing(src, c("", []));
expect(n0?.id === 1 && n0.kind === O, "first missing is 1 open");
const n1 = nextMissing(src, c("x", [[1, O, 0]]));
expect(n1?.id === 1 && n1.kind === C, "then 1 close");
const n2 = nextMissing(src, c("x", [[1, O, 0], [1, C, 1]]));
expect(n2?.id === 2 && n2.kind === S, "then 2 standalone");
expect(nextMissing(src, c("x", [[2, S, 0], [1, O, 0], [1, C, 1]])) === undefined, "none once all are in, whatever their order");

expect(direction("ar") === "rtl" && direction("he") === "rtl" && direction("fa-IR") === "rtl" && direction("ur") === "rtl", "RTL languages");
expect(direction("fr") === "ltr" && direction("zh-Hant") === "ltr", "LTR languages");

if (failures) throw new Error(`content_test: ${failures} failed`);
console.log("content_test: PASS");
