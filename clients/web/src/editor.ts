// The editor: one segment in its document context, source and target side
// by side, chips for inline codes, drafts that survive reloads, live code
// checks with the server's validate_only QA as the authority, suggestions,
// and the reviewer's approve/reject.
//
// The target is a contenteditable element whose chips are
// contenteditable=false spans: the text stays plain text the browser edits
// natively (IME, spell check, bidi, undo), while a chip can only be inserted
// or deleted whole. A textarea overlay would have to mirror the text in a
// second layer to draw chips, which drifts (Weblate #17240).
import { create } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import * as api from "./api";
import {
  BlockKind, CodeKind, CodeRefSchema, ContentSchema, QaReportSchema, QaSeverity, SegmentState,
  VersionConflictSchema, type Content, type InlineCode, type QaIssue,
} from "./gen/tessera/v1/common_pb";
import { TranslationSchema, type Translation } from "./gen/tessera/v1/translation_pb";
import { SourceEdit_Op, type Suggestions } from "./gen/tessera/v1/memory_pb";
import { t, language } from "./i18n";
import { h, announce, showError } from "./ui";
import { chip, checkCodes, direction, nextMissing, read, render } from "./content";
import { currentUser, mySegments } from "./main";

type Mode = "translate" | "review";

interface State {
  stmt: string;
  lang: string;
  mode: Mode;
  tr: Translation;
  mine: Translation[];
  doc: Translation[];
  target: HTMLElement;
  dirty: boolean;          // differs from what the server holds
  saving?: Promise<void>;
  saveTimer?: number;
  qaTimer?: number;
  range?: Range;           // the caret in the target, kept while focus is elsewhere
  suggestions?: Suggestions;
  sourceLang: string;
  merging: boolean;        // a conflict is shown; nothing is saved until it is settled
}

let st: State | undefined;
// Said together with the next segment's position, so that neither hides
// the other in the live region.
let pendingAnnounce = "";

const draftKey = (name: string) => `tessera.draft:${name}`;

type StoredDraft = { text: string; codes: { id: number; kind: number; offset: number }[]; version: string; at: number };

function storeLocal(name: string, c: Content, version: bigint): void {
  const d: StoredDraft = {
    text: c.text, codes: c.codes.map((x) => ({ id: x.id, kind: x.kind, offset: x.offset })),
    version: String(version), at: Date.now(),
  };
  localStorage.setItem(draftKey(name), JSON.stringify(d));
}

function loadLocal(name: string): { content: Content; version: bigint } | undefined {
  const raw = localStorage.getItem(draftKey(name));
  if (!raw) return undefined;
  try {
    const d = JSON.parse(raw) as StoredDraft;
    return { content: create(ContentSchema, { text: d.text, codes: d.codes.map((c) => create(CodeRefSchema, c)) }), version: BigInt(d.version) };
  } catch {
    return undefined;
  }
}

function sameContent(a: Content | undefined, b: Content | undefined): boolean {
  const codes = (c: Content | undefined) => JSON.stringify((c?.codes ?? []).map((x) => [x.id, x.kind, x.offset]));
  return (a?.text ?? "") === (b?.text ?? "") && codes(a) === codes(b);
}

// What the server holds for the translator: the draft, else the translation.
function serverText(tr: Translation): Content | undefined {
  return tr.draft?.content?.text ? tr.draft.content : tr.content;
}

// Someone else changed the segment since this page read it: both texts side
// by side, and nothing is overwritten until the translator chooses.
function showMerge(current: Translation): void {
  const s = st!;
  s.merging = true;
  s.tr = current;
  const mine = read(s.target);
  const theirs = serverText(current);
  const dir = direction(s.lang);
  const yours = h("div", { class: "segtext", lang: s.lang, dir });
  render(yours, mine, codesOf(current));
  const server = h("div", { class: "segtext", lang: s.lang, dir });
  render(server, theirs, codesOf(current));
  const panel = h("section", { id: "merge", class: "card merge", "aria-labelledby": "merge-title" },
    h("h2", { id: "merge-title" }, t("merge.title", String(current.version))),
    h("div", { class: "pair" },
      h("div", {}, h("h3", {}, t("merge.mine")), yours),
      h("div", {}, h("h3", {}, t("merge.theirs", current.draft?.author || current.author || "")), server)),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "keep-mine", class: "primary", onclick: () => settle(true) }, t("merge.keepMine")),
      h("button", { type: "button", id: "take-theirs", onclick: () => settle(false) }, t("merge.takeTheirs"))));
  document.getElementById("merge")?.remove();
  document.querySelector(".main-pair")!.after(panel);
  setSaveState("save.conflict");
  announce(t("merge.title", String(current.version)));
  (panel.querySelector("#keep-mine") as HTMLElement).focus();

  function settle(keepMine: boolean): void {
    s.merging = false;
    panel.remove();
    if (keepMine) {
      s.dirty = true;
      storeLocal(s.tr.name, mine, s.tr.version);
      void saveNow();
    } else {
      render(s.target, theirs, codesOf(s.tr));
      s.dirty = false;
      localStorage.removeItem(draftKey(s.tr.name));
      setSaveState("save.serverDraft");
    }
    caretAtEnd(s.target);
  }
}

async function conflictOf(err: unknown, name: string): Promise<Translation | undefined> {
  if (!(err instanceof api.ConnectError) || err.code !== api.Code.Aborted) return undefined;
  const vc = err.findDetails(VersionConflictSchema)[0];
  const packed = vc?.current ? anyUnpack(vc.current, TranslationSchema) : undefined;
  return packed ?? api.translation.getSegment({ name });
}

export function shortcutRows(): [string, string][] {
  return [
    ["Ctrl+Enter", t("shortcuts.submit")],
    ["Ctrl+T / Alt+T", t("shortcuts.insertCode")],
    ["Ctrl+I", t("shortcuts.copySource")],
    ["Ctrl+S", t("shortcuts.saveDraft")],
    ["Alt+S", t("shortcuts.skip")],
    ["Alt+↓", t("shortcuts.next")],
    ["Alt+↑", t("shortcuts.previous")],
    ["Ctrl+1…9", t("shortcuts.useMatch")],
    ["Alt+1…9", t("shortcuts.insertTerm")],
    ["Alt+R", t("shortcuts.reject")],
    ["?  /  Ctrl+/", t("shortcuts.help")],
  ];
}

function setSaveState(key: string, ...args: (string | number)[]): void {
  const el = document.getElementById("save-state");
  if (!el) return;
  el.textContent = t(key, ...args);
  el.dataset.state = key;
}

function blockName(k: BlockKind | undefined, level = 0): string {
  switch (k) {
    case BlockKind.HEADING: return t("block.heading", level);
    case BlockKind.LIST_ITEM: return t("block.listItem");
    case BlockKind.TABLE_CELL: return t("block.tableCell");
    case BlockKind.BLOCK_QUOTE: return t("block.quote");
    case BlockKind.FOOTNOTE: return t("block.footnote");
    case BlockKind.PARAGRAPH: return t("block.paragraph");
    default: return t("block.other");
  }
}

function stateName(s: SegmentState): string {
  return t(`state.${SegmentState[s] ?? "UNSPECIFIED"}`);
}

async function listAll(parent: string): Promise<Translation[]> {
  const out: Translation[] = [];
  let pageToken = "";
  do {
    const r = await api.translation.listSegments({ parent, pageSize: 1000, pageToken, includeNonTranslatable: true });
    out.push(...r.translations);
    pageToken = r.nextPageToken;
  } while (pageToken);
  return out;
}

// Saves the text to the server if it changed since the last save.
async function saveNow(): Promise<void> {
  const s = st;
  if (!s || s.mode !== "translate" || !s.dirty || s.merging) return;
  if (s.saving) { await s.saving; if (!s.dirty) return; }
  const content = read(s.target);
  setSaveState("save.saving");
  s.saving = (async () => {
    try {
      const tr = await api.translation.saveDraft({ name: s.tr.name, version: s.tr.version, content });
      s.tr = tr;
      // Newer typing may have happened while the call was out.
      const now = read(s.target);
      if (now.text === content.text && JSON.stringify(now.codes) === JSON.stringify(content.codes)) {
        s.dirty = false;
        localStorage.removeItem(draftKey(tr.name));
        setSaveState("save.saved", new Intl.DateTimeFormat(language(), { timeStyle: "short" }).format(new Date()));
        announce(t("save.announceSaved"));
      } else {
        setSaveState("save.unsaved");
      }
    } catch (err) {
      const current = await conflictOf(err, s.tr.name).catch(() => undefined);
      if (current && st === s) {
        s.saving = undefined;
        if (sameContent(serverText(current), content)) {
          // The server already holds this text under a newer version.
          s.tr = current;
          s.dirty = !sameContent(read(s.target), content);
          if (!s.dirty) { localStorage.removeItem(draftKey(current.name)); setSaveState("save.serverDraft"); }
        } else {
          showMerge(current);
        }
        return;
      }
      setSaveState("save.failed", err instanceof api.ConnectError ? err.rawMessage : String(err));
      // Offline or refused: the text is in this browser; try again later.
      window.clearTimeout(s.saveTimer);
      s.saveTimer = window.setTimeout(() => void saveNow(), 10000);
    } finally {
      s.saving = undefined;
    }
  })();
  await s.saving;
}

export async function leaveEditor(): Promise<void> {
  if (!st) return;
  window.clearTimeout(st.saveTimer);
  window.clearTimeout(st.qaTimer);
  await saveNow();
  st = undefined;
}

window.addEventListener("pagehide", () => void saveNow());
window.addEventListener("online", () => void saveNow());
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") void saveNow(); });

function codesOf(tr: Translation): InlineCode[] {
  return tr.source?.codes ?? [];
}

function insertNode(node: Node): void {
  const s = st!;
  const sel = window.getSelection()!;
  let range = sel.rangeCount && s.target.contains(sel.getRangeAt(0).startContainer) ? sel.getRangeAt(0) : s.range;
  if (!range || !s.target.contains(range.startContainer)) {
    range = document.createRange();
    range.selectNodeContents(s.target);
    range.collapse(false);
  }
  range.deleteContents();
  range.insertNode(node);
  range.setStartAfter(node);
  range.collapse(true);
  s.target.focus();
  sel.removeAllRanges();
  sel.addRange(range);
  s.range = range.cloneRange();
  changed();
}

function insertCode(ref: { id: number; kind: CodeKind }): void {
  insertNode(chip(ref, codesOf(st!.tr).find((c) => c.id === ref.id)));
  announce(t("editor.codeInserted", ref.id));
}

function insertNextCode(): void {
  const s = st!;
  const next = nextMissing(s.tr.source!.content!, read(s.target));
  if (!next) { announce(t("editor.noCodeMissing")); return; }
  insertCode(next);
}

function caretAtEnd(el: HTMLElement): void {
  el.focus();
  const r = document.createRange();
  r.selectNodeContents(el);
  r.collapse(false);
  const sel = window.getSelection()!;
  sel.removeAllRanges();
  sel.addRange(r);
}

function setTarget(c: Content | undefined): void {
  const s = st!;
  render(s.target, c, codesOf(s.tr));
  changed();
  caretAtEnd(s.target);
}

// The caret in the target, kept so that a chip clicked in the source goes
// where the translator was typing.
document.addEventListener("selectionchange", () => {
  const sel = window.getSelection();
  if (st && sel?.rangeCount && st.target.contains(sel.getRangeAt(0).startContainer)) st.range = sel.getRangeAt(0).cloneRange();
});

// After every edit: keep locally at once, check codes at once, save to the
// server and run its QA after a pause.
function changed(): void {
  const s = st!;
  const c = read(s.target);
  s.dirty = true;
  storeLocal(s.tr.name, c, s.tr.version);
  setSaveState("save.unsaved");
  showLocalQa(c);
  window.clearTimeout(s.saveTimer);
  s.saveTimer = window.setTimeout(() => void saveNow(), 1500);
  window.clearTimeout(s.qaTimer);
  s.qaTimer = window.setTimeout(() => void serverQa(), 800);
}

function showLocalQa(c: Content): boolean {
  const s = st!;
  const box = document.getElementById("local-qa")!;
  // An empty target is not yet wrong; its codes are checked once typing starts.
  const problems = c.text || c.codes.length ? checkCodes(s.tr.source!.content!, c) : [];
  box.replaceChildren(...problems.map((p) => h("li", { class: "qa-error" }, t(p.key, p.id))));
  s.target.setAttribute("aria-invalid", problems.length ? "true" : "false");
  return problems.length === 0;
}

function showServerQa(issues: QaIssue[]): void {
  const box = document.getElementById("server-qa")!;
  box.replaceChildren(...issues.map((i) => h("li", { class: i.severity === QaSeverity.ERROR ? "qa-error" : "qa-warning" },
    h("strong", {}, i.severity === QaSeverity.ERROR ? t("qa.error") : t("qa.warning")), " ", i.message)));
}

async function serverQa(): Promise<void> {
  const s = st;
  if (!s || s.mode !== "translate") return;
  const content = read(s.target);
  if (!content.text.trim()) { showServerQa([]); return; }
  try {
    const r = await api.translation.submit({ name: s.tr.name, version: s.tr.version, content, validateOnly: true });
    if (st === s) showServerQa(r.qaIssues);
  } catch (err) {
    if (st !== s) return;
    if (err instanceof api.ConnectError) {
      const report = err.findDetails(QaReportSchema)[0];
      if (report) showServerQa(report.issues);
    }
  }
}

function go(delta: number, needy = false): void {
  const s = st!;
  const i = s.mine.findIndex((x) => x.name === s.tr.name);
  const wanted = s.mode === "review" ? [SegmentState.TRANSLATED] : [SegmentState.UNTRANSLATED, SegmentState.REJECTED, SegmentState.NEEDS_UPDATE];
  for (let j = i + delta; j >= 0 && j < s.mine.length; j += delta) {
    if (!needy || wanted.includes(s.mine[j].state)) {
      location.hash = `#/edit/${s.stmt.split("/")[1]}/${s.lang}/${s.mine[j].segmentId}` + (s.mode === "review" ? "?role=review" : "");
      return;
    }
  }
  if (needy) {
    announce(t("editor.allDone"));
    location.hash = "#/work";
  } else {
    announce(t(delta > 0 ? "editor.noNext" : "editor.noPrevious"));
  }
}

async function submit(): Promise<void> {
  const s = st!;
  const content = read(s.target);
  if (!content.text.trim()) { showError(t("editor.emptyTarget")); s.target.focus(); return; }
  if (!showLocalQa(content)) { showError(t("editor.fixCodes")); s.target.focus(); return; }
  if (s.merging) { showError(t("merge.first")); return; }
  window.clearTimeout(s.saveTimer);
  if (s.saving) await s.saving;
  try {
    const tr = await api.translation.submit({ name: s.tr.name, version: s.tr.version, content });
    s.tr = tr;
    s.dirty = false;
    localStorage.removeItem(draftKey(tr.name));
    const m = s.mine.findIndex((x) => x.name === tr.name);
    if (m >= 0) s.mine[m] = tr;
    pendingAnnounce = t("editor.submitted", tr.source?.ordinal ?? 0);
    announce(pendingAnnounce);
    showError("");
    go(1, true);
  } catch (err) {
    const current = await conflictOf(err, s.tr.name).catch(() => undefined);
    if (current) { showMerge(current); return; }
    if (err instanceof api.ConnectError) {
      const report = err.findDetails(QaReportSchema)[0];
      if (report) showServerQa(report.issues);
      showError(t("editor.submitFailed", err.rawMessage));
    } else throw err;
  }
}

async function approve(): Promise<void> {
  const s = st!;
  try {
    const tr = await api.translation.approve({ name: s.tr.name, version: s.tr.version });
    const m = s.mine.findIndex((x) => x.name === tr.name);
    if (m >= 0) s.mine[m] = tr;
    pendingAnnounce = t("review.approved", tr.source?.ordinal ?? 0);
    announce(pendingAnnounce);
    go(1, true);
  } catch (err) {
    showError(t("review.failed", err instanceof api.ConnectError ? err.rawMessage : String(err)));
  }
}

async function reject(): Promise<void> {
  const s = st!;
  const field = document.getElementById("reason") as HTMLTextAreaElement;
  const reason = field.value.trim();
  if (!reason) {
    field.setAttribute("aria-invalid", "true");
    showError(t("review.reasonRequired"));
    field.focus();
    return;
  }
  try {
    const tr = await api.translation.reject({ name: s.tr.name, version: s.tr.version, reason });
    const m = s.mine.findIndex((x) => x.name === tr.name);
    if (m >= 0) s.mine[m] = tr;
    pendingAnnounce = t("review.rejected", tr.source?.ordinal ?? 0);
    announce(pendingAnnounce);
    go(1, true);
  } catch (err) {
    showError(t("review.failed", err instanceof api.ConnectError ? err.rawMessage : String(err)));
  }
}

function useSuggestion(n: number): void {
  const s = st!;
  const all = suggestionContents(s.suggestions);
  const c = all[n - 1];
  if (!c) { announce(t("suggest.none", n)); return; }
  setTarget(c);
  announce(t("suggest.used", n));
}

function suggestionContents(sg: Suggestions | undefined): Content[] {
  if (!sg) return [];
  return [
    ...sg.memoryMatches.map((m) => m.suggestion ?? m.unit?.target).filter((c): c is Content => !!c),
    ...sg.machineSuggestions.map((m) => create(ContentSchema, { text: m.text })),
  ];
}

function insertTerm(n: number): void {
  const hit = st!.suggestions?.glossaryHits[n - 1];
  if (!hit?.entry) { announce(t("glossary.none", n)); return; }
  insertNode(document.createTextNode(hit.entry.doNotTranslate ? hit.entry.sourceTerm : hit.entry.targetTerm));
}

function onKey(e: KeyboardEvent): void {
  const s = st;
  // Keys that confirm an input method's composition (Enter for CJK) are
  // the input method's, never shortcuts.
  if (!s || e.isComposing || e.keyCode === 229 || document.querySelector("dialog[open]")) return;
  const k = e.key.toLowerCase();
  const inReason = e.target instanceof HTMLElement && e.target.id === "reason";
  let handled = true;
  if (e.ctrlKey && !e.altKey && e.key === "Enter") {
    if (s.mode === "review") void (inReason ? reject() : approve());
    else void submit();
  } else if (s.mode === "translate" && ((e.ctrlKey && !e.shiftKey && k === "t") || (e.altKey && k === "t"))) insertNextCode();
  else if (s.mode === "translate" && e.ctrlKey && k === "i") setTarget(s.tr.source?.content);
  else if (s.mode === "translate" && e.ctrlKey && k === "s") void saveNow();
  else if (e.altKey && k === "s") go(1, true);
  else if (e.altKey && e.key === "ArrowDown") go(1);
  else if (e.altKey && e.key === "ArrowUp") go(-1);
  else if (s.mode === "review" && e.altKey && k === "r") (document.getElementById("reason") as HTMLElement).focus();
  else if (s.mode === "translate" && e.ctrlKey && /^[1-9]$/.test(e.key)) useSuggestion(Number(e.key));
  else if (s.mode === "translate" && e.altKey && /^Digit[1-9]$/.test(e.code)) insertTerm(Number(e.code.slice(5)));
  else if (e.target === s.target && (e.key === "Enter" || (e.ctrlKey && ["b", "u"].includes(k)))) { /* no blocks, no styling */ }
  else handled = false;
  if (handled) { e.preventDefault(); e.stopPropagation(); }
}
document.addEventListener("keydown", onKey, true);

function contextRow(tr: Translation | undefined, which: "previous" | "next"): HTMLElement {
  const box = h("div", { class: `context ${which}`, role: "group", "aria-label": t(`editor.${which}`) });
  if (!tr) { box.append(h("p", { class: "muted" }, t(`editor.no${which === "previous" ? "Previous" : "Next"}Segment`))); return box; }
  const src = h("div", { class: "segtext", lang: st!.sourceLang, dir: "auto" });
  render(src, tr.source?.content, tr.source?.codes);
  const tgt = h("div", { class: "segtext", lang: st!.lang, dir: direction(st!.lang) });
  if (!tr.source?.translatable) render(tgt, tr.source?.content, tr.source?.codes);
  else if (tr.content?.text) render(tgt, tr.content, tr.source?.codes);
  else tgt.append(h("span", { class: "muted" }, t("state.UNTRANSLATED")));
  box.append(h("p", { class: "ctx-label" }, t(`editor.${which}`), " · ", blockName(tr.source?.context?.blockKind, tr.source?.context?.headingLevel),
    " · ", tr.source?.translatable ? stateName(tr.state) : t("editor.notTranslatable")), h("div", { class: "pair" }, src, tgt));
  return box;
}

function suggestionsPanel(sg: Suggestions | undefined): HTMLElement {
  const panel = h("aside", { class: "card suggestions", "aria-labelledby": "suggest-title" },
    h("h2", { id: "suggest-title" }, t("suggest.title")));
  if (!sg) { panel.append(h("p", { class: "muted" }, t("suggest.unavailable"))); return panel; }
  const list = h("ol", { class: "items", id: "suggestion-list" });
  let n = 0;
  for (const m of sg.memoryMatches) {
    n++;
    const diff = h("p", { class: "diff", "aria-label": t("suggest.diff") });
    for (const e of m.sourceDiff) {
      if (e.op === SourceEdit_Op.KEEP) diff.append(e.queryText, " ");
      else if (e.op === SourceEdit_Op.INSERT) diff.append(h("ins", {}, e.queryText), " ");
      else if (e.op === SourceEdit_Op.DELETE) diff.append(h("del", {}, e.unitText), " ");
      else diff.append(h("del", {}, e.unitText), h("ins", {}, e.queryText), " ");
    }
    const text = h("div", { class: "segtext", lang: st!.lang, dir: direction(st!.lang) });
    render(text, m.suggestion ?? m.unit?.target, codesOf(st!.tr));
    const i = n;
    list.append(h("li", {}, h("p", {}, h("strong", { class: "score" }, `${Math.round(m.score * 100)} %`), " ", t("suggest.memory")),
      diff, text, h("button", { type: "button", onclick: () => useSuggestion(i) }, t("suggest.use", i))));
  }
  for (const m of sg.machineSuggestions) {
    n++;
    const i = n;
    list.append(h("li", { class: "machine" }, h("p", {}, h("strong", {}, t("suggest.machine", m.engine))),
      h("div", { class: "segtext", lang: st!.lang, dir: direction(st!.lang) }, m.text),
      h("button", { type: "button", onclick: () => useSuggestion(i) }, t("suggest.use", i))));
  }
  if (n === 0) panel.append(h("p", { class: "muted" }, t("suggest.noneFound")));
  else panel.append(list);
  panel.append(h("h3", {}, t("glossary.title")));
  const terms = h("ol", { class: "items" });
  sg.glossaryHits.forEach((g, k) => {
    terms.append(h("li", {}, h("span", { lang: st!.sourceLang }, g.entry?.sourceTerm ?? ""), " → ",
      h("span", { lang: st!.lang, dir: "auto" }, g.entry?.doNotTranslate ? t("glossary.keep") : g.entry?.targetTerm ?? ""), " ",
      h("button", { type: "button", onclick: () => insertTerm(k + 1) }, t("glossary.insert", k + 1))));
  });
  if (sg.glossaryHits.length) panel.append(terms);
  else panel.append(h("p", { class: "muted" }, t("glossary.noneFound")));
  return panel;
}

function button(id: string, label: string, keys: string, action: () => void, primary = false): HTMLButtonElement {
  return h("button", { type: "button", id, class: primary ? "primary" : "", "aria-keyshortcuts": keys, onclick: action },
    label, " ", h("kbd", { "aria-hidden": "true" }, keys.replace("Control", "Ctrl").replace("ArrowUp", "↑").replace("ArrowDown", "↓"))) as HTMLButtonElement;
}

export async function openEditor(root: HTMLElement, stmt: string, lang: string, segId: string, mode: Mode): Promise<void> {
  const name = `${stmt}/languages/${lang}/segments/${segId}`;
  if (st && st.tr.name !== name) await leaveEditor();
  const me = currentUser()!;
  const [tr, mine, doc, statementInfo] = await Promise.all([
    api.translation.getSegment({ name }),
    mySegments(stmt, lang, me.name),
    listAll(`${stmt}/languages/${lang}`),
    api.statement.getStatement({ name: stmt }),
  ]);
  const target = h("div", {
    id: "target", class: "segtext editable", role: "textbox", "aria-multiline": "false",
    "aria-labelledby": "target-label", "aria-describedby": "save-state local-qa", lang, dir: direction(lang),
    contenteditable: mode === "translate" ? "true" : "false", spellcheck: "true",
  });
  st = { stmt, lang, mode, tr, mine, doc, target, dirty: false, sourceLang: statementInfo.sourceLanguage, merging: false };
  const s = st;
  const pos = Math.max(0, mine.findIndex((x) => x.name === name)) + 1;
  const at = doc.findIndex((x) => x.name === name);
  const ctx = tr.source?.context;
  document.title = `${t("editor.position", pos, mine.length)} — Tessera`;

  const source = h("div", { id: "source", class: "segtext", lang: s.sourceLang, dir: "auto" });
  render(source, tr.source?.content, codesOf(tr));
  // Source chips are buttons: clicking one inserts that code at the caret.
  for (const c of Array.from(source.querySelectorAll<HTMLElement>(".chip"))) {
    const ref = { id: Number(c.dataset.code), kind: Number(c.dataset.kind) as CodeKind };
    const b = h("button", { type: "button", class: "chip-button", "aria-label": t("editor.insertThisCode", c.title), disabled: mode !== "translate" });
    b.addEventListener("mousedown", (e) => e.preventDefault());
    b.addEventListener("click", () => insertCode(ref));
    c.replaceWith(b);
    c.removeAttribute("aria-label");
    c.removeAttribute("role");
    b.append(c);
  }

  const actions = mode === "translate"
    ? h("div", { class: "actions", role: "toolbar", "aria-label": t("editor.actions") },
      button("submit", t("editor.submit"), "Control+Enter", () => void submit(), true),
      button("save-draft", t("editor.saveDraft"), "Control+S", () => void saveNow()),
      button("insert-code", t("editor.insertCode"), "Control+T", () => insertNextCode()),
      button("copy-source", t("editor.copySource"), "Control+I", () => setTarget(s.tr.source?.content)),
      button("skip", t("editor.skip"), "Alt+S", () => go(1, true)),
      button("previous", t("editor.previousButton"), "Alt+ArrowUp", () => go(-1)),
      button("next", t("editor.nextButton"), "Alt+ArrowDown", () => go(1)))
    : h("div", { class: "actions review", role: "group", "aria-label": t("editor.actions") },
      button("approve", t("review.approve"), "Control+Enter", () => void approve(), true),
      h("label", { for: "reason" }, t("review.reason")),
      h("textarea", { id: "reason", rows: "2", required: true, "aria-describedby": "reason-help", lang: language() }),
      h("p", { id: "reason-help", class: "muted" }, t("review.reasonHelp")),
      button("reject", t("review.reject"), "Alt+R", () => void reject()),
      button("skip", t("editor.skip"), "Alt+S", () => go(1, true)),
      button("previous", t("editor.previousButton"), "Alt+ArrowUp", () => go(-1)),
      button("next", t("editor.nextButton"), "Alt+ArrowDown", () => go(1)));

  const rejection = tr.state === SegmentState.REJECTED && tr.rejectionReason
    ? h("div", { class: "rejection", role: "note" }, h("strong", {}, t("work.reason")), " ", tr.rejectionReason) : "";

  root.replaceChildren(h("section", { class: "editor", "aria-labelledby": "position" },
    h("h1", { id: "position", tabindex: "-1" }, t("editor.position", pos, mine.length)),
    h("p", { class: "meta" }, `${statementInfo.title} · ${s.sourceLang} → ${lang} · `,
      blockName(ctx?.blockKind, ctx?.headingLevel), ctx?.sectionHeading ? ` · ${ctx.sectionHeading}` : "",
      ` · ${t("editor.inDocument", tr.source?.ordinal ?? 0, doc.length)} · `, h("span", { id: "segment-state" }, stateName(tr.state)),
      mode === "review" ? ` · ${t("role.review")}` : ""),
    rejection,
    contextRow(at > 0 ? doc[at - 1] : undefined, "previous"),
    h("div", { class: "pair main-pair" },
      h("div", { class: "side" }, h("h2", { id: "source-label" }, t("editor.source", s.sourceLang)), source),
      h("div", { class: "side" }, h("h2", {}, h("span", { id: "target-label" }, t("editor.target", lang))), target,
        mode === "translate" ? h("p", { id: "save-state", class: "save-state" }) : "",
        h("ul", { id: "local-qa", class: "qa" }), h("ul", { id: "server-qa", class: "qa" }))),
    actions,
    contextRow(at >= 0 && at + 1 < doc.length ? doc[at + 1] : undefined, "next"),
    h("div", { id: "suggestions-slot" })));

  if (mode === "review") {
    const reason = document.getElementById("reason")!;
    reason.addEventListener("input", () => { reason.removeAttribute("aria-invalid"); showError(""); });
    render(target, tr.content, codesOf(tr));
    showServerQa(tr.qaIssues);
    (document.getElementById("approve") as HTMLElement).focus();
  } else {
    const local = loadLocal(name);
    const initial = local?.content ?? serverText(tr);
    render(target, initial, codesOf(tr));
    target.addEventListener("input", () => changed());
    target.addEventListener("paste", (e) => {
      e.preventDefault();
      const text = (e.clipboardData?.getData("text/plain") ?? "").replace(/[\r\n]+/g, " ");
      insertNode(document.createTextNode(text));
    });
    target.addEventListener("blur", () => void saveNow());
    showLocalQa(read(target));
    if (local && local.version !== tr.version && !sameContent(local.content, serverText(tr))) {
      // Typed here while the server moved on (another tab, a reviewer).
      s.dirty = true;
      showMerge(tr);
    } else if (local) {
      s.dirty = true;
      setSaveState("save.restored");
      s.saveTimer = window.setTimeout(() => void saveNow(), 300);
    } else {
      setSaveState(tr.draft?.content?.text ? "save.serverDraft" : "save.nothing");
    }
    void serverQa();
    caretAtEnd(target);
  }
  announce((pendingAnnounce ? pendingAnnounce + ". " : "") + (s.dirty ? t("save.restored") + ". " : "") + t("editor.position", pos, mine.length));
  pendingAnnounce = "";

  try {
    const sg = await api.memory.getSuggestions({ segment: name, maxResults: 5 });
    if (st === s) { s.suggestions = sg; document.getElementById("suggestions-slot")!.replaceWith(suggestionsPanel(sg)); }
  } catch {
    if (st === s) document.getElementById("suggestions-slot")!.replaceWith(suggestionsPanel(undefined));
  }
}
