// Content (text plus inline codes at UTF-8 byte offsets) to and from the
// DOM. Codes are chips: atomic, numbered, coloured by pair, never editable
// as text (contenteditable=false), isolated from the text's direction.
import { create } from "@bufbuild/protobuf";
import {
  CodeKind, CodeRefSchema, ContentSchema, type CodeRef, type Content, type InlineCode,
  CodeType,
} from "./gen/tessera/v1/common_pb";
import { t } from "./i18n";

const enc = new TextEncoder();

export function byteLength(s: string): number {
  return enc.encode(s).length;
}

// The string index at a UTF-8 byte offset (on a character boundary).
export function indexAtByte(s: string, byte: number): number {
  let b = 0;
  let i = 0;
  while (i < s.length && b < byte) {
    const cp = s.codePointAt(i)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

export function codeTypeName(type: CodeType | undefined): string {
  switch (type) {
    case CodeType.EMPHASIS: return t("code.emphasis");
    case CodeType.STRONG: return t("code.strong");
    case CodeType.LINK: return t("code.link");
    case CodeType.CODE_SPAN: return t("code.codeSpan");
    case CodeType.FOOTNOTE_REFERENCE: return t("code.footnote");
    case CodeType.LINE_BREAK: return t("code.lineBreak");
    default: return t("code.other");
  }
}

export function chip(ref: { id: number; kind: CodeKind }, info?: InlineCode): HTMLElement {
  const el = document.createElement("span");
  el.className = `chip pair${ref.id % 8}`;
  el.contentEditable = "false";
  el.dataset.code = String(ref.id);
  el.dataset.kind = String(ref.kind);
  // Brackets show which side of its pair a code is on; the kind is also
  // spelt out for screen readers.
  el.textContent = ref.kind === CodeKind.OPEN ? `⟨${ref.id}` : ref.kind === CodeKind.CLOSE ? `${ref.id}⟩` : `⟨${ref.id}⟩`;
  const kind = ref.kind === CodeKind.OPEN ? t("code.open") : ref.kind === CodeKind.CLOSE ? t("code.close") : t("code.standalone");
  const what = info ? codeTypeName(info.type) + (info.display ? `: ${info.display}` : "") : "";
  el.title = `${t("code.label", ref.id, kind)}${what ? " — " + what : ""}`;
  el.setAttribute("aria-label", el.title);
  el.setAttribute("role", "img");
  return el;
}

// Fills `host` with the content's text and chips.
export function render(host: HTMLElement, content: Content | undefined, codes: InlineCode[] = []): void {
  host.replaceChildren();
  if (!content) return;
  const text = content.text;
  let pos = 0;
  for (const ref of content.codes) {
    const i = indexAtByte(text, ref.offset);
    if (i > pos) host.append(document.createTextNode(text.slice(pos, i)));
    pos = Math.max(pos, i);
    host.append(chip(ref, codes.find((c) => c.id === ref.id)));
  }
  if (pos < text.length) host.append(document.createTextNode(text.slice(pos)));
}

// Reads the content back from an editable host.
export function read(host: HTMLElement): Content {
  let text = "";
  let bytes = 0;
  const codes: CodeRef[] = [];
  const walk = (node: Node) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) {
        const s = (child.textContent ?? "").replace(/\u200b/g, "");
        text += s;
        bytes += byteLength(s);
      } else if (child instanceof HTMLElement && child.dataset.code !== undefined) {
        codes.push(create(CodeRefSchema, {
          id: Number(child.dataset.code), kind: Number(child.dataset.kind) as CodeKind, offset: bytes,
        }));
      } else if (child instanceof HTMLElement && child.tagName !== "BR") {
        walk(child);
      }
    }
  };
  walk(host);
  return create(ContentSchema, { text, codes });
}

export type Problem = { key: string; id: number };

// Codes of the source missing from (or surplus in) the target, and pairing
// errors, in the target's order: what the server's QA will refuse.
export function checkCodes(source: Content, target: Content): Problem[] {
  const problems: Problem[] = [];
  const want = new Map<string, number>();
  for (const c of source.codes) want.set(`${c.id}/${c.kind}`, (want.get(`${c.id}/${c.kind}`) ?? 0) + 1);
  const have = new Map<string, number>();
  for (const c of target.codes) have.set(`${c.id}/${c.kind}`, (have.get(`${c.id}/${c.kind}`) ?? 0) + 1);
  for (const c of source.codes) {
    const k = `${c.id}/${c.kind}`;
    if ((have.get(k) ?? 0) < (want.get(k) ?? 0) && !problems.some((p) => p.key === "qa.missing" && p.id === c.id)) {
      problems.push({ key: "qa.missing", id: c.id });
    }
  }
  for (const [k, n] of have) {
    const id = Number(k.split("/")[0]);
    if (!want.has(k)) problems.push({ key: "qa.added", id });
    else if (n > want.get(k)!) problems.push({ key: "qa.duplicated", id });
  }
  const open: number[] = [];
  for (const c of target.codes) {
    if (c.kind === CodeKind.OPEN) open.push(c.id);
    else if (c.kind === CodeKind.CLOSE) {
      if (open.length === 0 || open[open.length - 1] !== c.id) {
        if (!problems.some((p) => p.key === "qa.crossed" && p.id === c.id)) problems.push({ key: "qa.crossed", id: c.id });
        const at = open.lastIndexOf(c.id);
        if (at >= 0) open.splice(at, 1);
      } else {
        open.pop();
      }
    }
  }
  return problems;
}

// The first code of the source, in source order, that the target lacks.
export function nextMissing(source: Content, target: Content): CodeRef | undefined {
  const used = new Map<string, number>();
  for (const c of target.codes) used.set(`${c.id}/${c.kind}`, (used.get(`${c.id}/${c.kind}`) ?? 0) + 1);
  for (const c of source.codes) {
    const k = `${c.id}/${c.kind}`;
    const n = used.get(k) ?? 0;
    if (n > 0) used.set(k, n - 1);
    else return c;
  }
  return undefined;
}

const RTL = new Set(["ar", "fa", "he", "iw", "ur", "ps", "yi", "dv", "ckb", "sd", "ug", "syr"]);

export function direction(lang: string): "rtl" | "ltr" {
  try {
    const loc = new Intl.Locale(lang) as Intl.Locale & { getTextInfo?: () => { direction: string }; textInfo?: { direction: string } };
    const info = loc.getTextInfo?.() ?? loc.textInfo;
    if (info?.direction) return info.direction === "rtl" ? "rtl" : "ltr";
  } catch { /* unknown tag */ }
  return RTL.has(lang.toLowerCase().split("-")[0]) ? "rtl" : "ltr";
}
