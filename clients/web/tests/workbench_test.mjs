// The workbench in a real browser against a real tesserad: a translator
// signs in, finds the assignment in My work, translates with the keyboard
// only (chips by Ctrl+T), reloads mid-segment and gets the draft back,
// submits with Ctrl+Enter; a reviewer rejects one segment with a reason and
// approves another; the translator then sees the reason first. An Arabic
// target is laid out right to left; a draft saved elsewhere meanwhile opens
// the merge view instead of being overwritten. axe-core runs on every
// screen; a screenshot of each is saved under --out.
//   node workbench_test.mjs --tesserad PATH --web_root DIR --out DIR
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (n) => { const i = argv.indexOf(n); if (i < 0) throw new Error(`${n} is required`); return path.resolve(argv[i + 1]); };
const tesserad = arg("--tesserad");
const webRoot = arg("--web_root");
const outDir = arg("--out");
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) if (f.endsWith(".png")) fs.rmSync(path.join(outDir, f));
const started = Date.now();

function check(cond, what) {
  if (!cond) throw new Error("FAILED: " + what);
}

// --- the server ---------------------------------------------------------
const root = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-web-"));
const data = path.join(root, "data");
const admin = execFileSync(tesserad, ["init", "--data_dir=" + data], { encoding: "utf8" }).trim().split("\n").pop();
const logPath = path.join(root, "tesserad.log");
const server = spawn(tesserad, ["--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0", "--data_dir=" + data,
  "--web_root=" + webRoot, "--apertium=false"], { stdio: ["ignore", "ignore", "pipe"] });
const log = fs.createWriteStream(logPath);
const base = await new Promise((resolve, reject) => {
  let buf = "";
  const timer = setTimeout(() => reject(new Error("tesserad did not start: " + buf)), 60000);
  server.stderr.on("data", (chunk) => {
    log.write(chunk);
    buf += chunk.toString();
    const m = buf.match(/web workbench on (http:\/\/[^/\s]+\/)/);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on("exit", (code) => reject(new Error(`tesserad exited ${code}: ${buf}`)));
});

async function call(method, body, token = admin) {
  const r = await fetch(base + "tessera.v1." + method, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
    body: JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

// --- seed: a statement into fr and ar, a translator, a reviewer ---------
const SOURCE = `# Resolution on *open* data

The assembly **welcomes** the [report](https://example.org/r) and thanks the *authors*. It asks the board to publish it.
`;
const tokens = {};
for (const [user, role] of [["tina", "ROLE_TRANSLATOR"], ["rita", "ROLE_REVIEWER"]]) {
  await call("IdentityService/CreateUser", { userId: user, displayName: user === "tina" ? "Tina" : "Rita", roles: [{ role, languages: ["fr", "ar"] }] });
  tokens[user] = (await call("IdentityService/IssueToken", { user: "users/" + user, description: "browser test" })).secret;
}
await call("StatementService/CreateStatement", {
  statementId: "opendata", title: "Open data", format: "DOCUMENT_FORMAT_MARKDOWN",
  source: Buffer.from(SOURCE).toString("base64"), sourceLanguage: "en", targetLanguages: ["fr", "ar"],
});
for (const lang of ["fr", "ar"]) {
  await call("AssignmentService/Assign", { statement: "statements/opendata", language: lang, role: "ASSIGNMENT_ROLE_TRANSLATE", scope: { wholeLanguage: {} }, assignee: "users/tina" });
}
await call("AssignmentService/Assign", { statement: "statements/opendata", language: "fr", role: "ASSIGNMENT_ROLE_REVIEW", scope: { wholeLanguage: {} }, assignee: "users/rita" });
await call("MemoryService/CreateGlossaryEntry", { glossaryEntry: { sourceLanguage: "en", targetLanguage: "fr", sourceTerm: "assembly", targetTerm: "assemblée" } });
const segs = (await call("TranslationService/ListSegments", { parent: "statements/opendata/languages/fr" })).translations;
check(segs.length === 3, `three segments to translate, got ${segs.length}`);

// --- the browser --------------------------------------------------------
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const axeSource = fs.readFileSync(path.join(here, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");
const shots = [];
const pageErrors = [];

async function newPage(locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  // The text of an element without its chips' labels.
  await ctx.addInitScript(() => {
    window.plain = (el) => {
      if (!el) return "";
      let out = "";
      for (const n of el.childNodes) {
        if (n.nodeType === 3) out += n.textContent;
        else if (!(n.classList && n.classList.contains("chip"))) out += window.plain(n);
      }
      return out;
    };
  });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text()); });
  return page;
}

// axe-core is evaluated through the DevTools protocol, which the page's
// CSP does not govern (an injected <script> would be refused, rightly).
async function audit(page, screen) {
  await page.evaluate(axeSource + "\n;0");
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe on ${screen}: ${JSON.stringify(bad)}`);
  const file = path.join(outDir, `${String(shots.length + 1).padStart(2, "0")}-${screen}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

const text = (page, sel) => page.locator(sel).innerText();
async function waitText(page, sel, want, what) {
  try {
    await page.waitForFunction(([s, w]) => plain(document.querySelector(s)).includes(w), [sel, want], { timeout: 10000 });
  } catch {
    const has = await page.evaluate((s) => plain(document.querySelector(s)), sel).catch(() => null);
    throw new Error(`FAILED: ${what}: ${sel} has ${JSON.stringify(has)}, wanted ${JSON.stringify(want)}`);
  }
}
async function signIn(page, token) {
  await page.goto(base);
  await page.waitForSelector("#signin-form");
  await page.keyboard.type(token); // the token field has focus
  await page.keyboard.press("Enter");
  await page.waitForSelector("#assignments");
}
async function segment(name) {
  return call("TranslationService/GetSegment", { name });
}
const frName = (i) => segs[i].name;

try {
  // Translator, French interface (the browser's language).
  const tp = await newPage("fr-FR");
  await tp.goto(base);
  await tp.waitForSelector("#signin-form");
  check(await tp.evaluate(() => document.documentElement.lang) === "fr", "the interface follows navigator.language (fr)");
  check((await text(tp, "h1")).includes("Connexion"), "French sign-in title");
  await audit(tp, "signin");
  await tp.keyboard.type("tsr_not_a_token");
  await tp.keyboard.press("Enter");
  await waitText(tp, "#error", "Échec", "a wrong token is refused");
  await tp.fill("#token", "");
  await tp.keyboard.type(tokens.tina);
  await tp.keyboard.press("Enter");
  await tp.waitForSelector("#assignments");
  const rows = await tp.locator("#assignments tbody tr").allInnerTexts();
  check(rows.length === 2 && rows.some((r) => r.includes("fr")) && rows.some((r) => r.includes("ar")), `My work lists both assignments: ${rows}`);
  await audit(tp, "mywork");

  // Switch the interface to English for the rest (the choice is kept).
  await tp.selectOption("#ui-language", "en");
  await waitText(tp, "h1", "My work", "English after the switch");

  // Open the French assignment: the first segment, the heading.
  await tp.locator("#assignments tbody tr", { hasText: "fr" }).getByRole("button").click();
  await tp.waitForSelector("#target[contenteditable=true]");
  await waitText(tp, "#position", "Segment 1 of 3", "position in the assignment");
  check((await tp.locator("#source .chip").count()) === 2, "the source heading shows its two codes as chips");
  await tp.keyboard.type("Résolution sur les données ");
  await tp.keyboard.press("Control+t");
  await tp.keyboard.type("ouvertes");
  await waitText(tp, "#local-qa", "Code 1 is missing", "the live check names the missing closing code");
  await tp.keyboard.press("Control+t");
  await waitText(tp, "#save-state", "Unsaved", "the unsaved indicator while typing");
  check((await tp.locator("#local-qa li").count()) === 0, "no code problem once both chips are in");
  check((await tp.locator("#target .chip").count()) === 2, "two chips in the target");
  await audit(tp, "editor");

  // Reload mid-segment: the draft comes back from this browser.
  await tp.reload();
  await tp.waitForSelector("#target[contenteditable=true]");
  await waitText(tp, "#target", "Résolution sur les données ouvertes", "the draft is back after a reload");
  check((await tp.locator("#target .chip").count()) === 2, "the chips are back after a reload");
  await waitText(tp, "#save-state", "Saved", "the restored draft reaches the server");
  const drafted = await segment(frName(0));
  check(drafted.draft?.content?.text === "Résolution sur les données ouvertes", `server draft: ${JSON.stringify(drafted.draft)}`);

  await tp.keyboard.press("Control+Enter");
  await waitText(tp, "#position", "Segment 2 of 3", "Ctrl+Enter submits and opens the next segment");
  await waitText(tp, "#announce", "Segment 1 submitted. Segment 2 of 3", "the live region says submitted and where we are");
  const s1 = await segment(frName(0));
  check(s1.state === "SEGMENT_STATE_TRANSLATED", "segment 1 translated: " + s1.state);
  const bytes = Buffer.byteLength("Résolution sur les données ");
  check(JSON.stringify(s1.content.codes.map((c) => c.offset ?? 0)) === JSON.stringify([bytes, Buffer.byteLength("Résolution sur les données ouvertes")]),
    `code offsets in UTF-8 bytes: ${JSON.stringify(s1.content.codes)}`);

  // Segment 2, six codes; a submit with codes missing is refused.
  await tp.keyboard.type("L’assemblée salue le rapport");
  await tp.keyboard.press("Control+Enter");
  await waitText(tp, "#error", "Fix the inline codes", "a submit with missing codes is blocked");
  await tp.keyboard.press("Control+a");
  await tp.keyboard.press("Backspace");
  // The glossary term comes from the suggestions panel by Alt+1.
  await waitText(tp, ".suggestions", "assemblée", "the glossary term is suggested");
  await tp.keyboard.type("L’");
  await tp.keyboard.press("Alt+1");
  await tp.keyboard.type(" ");
  await waitText(tp, "#target", "L’assemblée ", "Alt+1 inserts glossary term 1");
  for (const word of ["salue", " le ", "rapport", " et remercie les ", "auteurs"]) {
    if (word.trim() === "le" || word.trim() === "et remercie les") { await tp.keyboard.type(word); continue; }
    await tp.keyboard.press("Control+t");
    await tp.keyboard.type(word);
    await tp.keyboard.press("Control+t");
  }
  await tp.keyboard.type(".");
  await waitText(tp, "#save-state", "Unsaved", "unsaved after typing");
  check((await tp.locator("#local-qa li").count()) === 0, "segment 2 codes complete: " + await text(tp, "#local-qa"));
  await tp.keyboard.press("Control+Enter");
  await waitText(tp, "#position", "Segment 3 of 3", "segment 2 submitted");
  // Previous and next by Alt+↑/↓; Ctrl+I copies the source.
  await tp.keyboard.press("Alt+ArrowUp");
  await waitText(tp, "#position", "Segment 2 of 3", "Alt+↑ opens the previous segment");
  await waitText(tp, "#target", "L’assemblée salue le rapport et remercie les auteurs.", "the submitted text is shown");
  await tp.keyboard.press("Alt+ArrowDown");
  await waitText(tp, "#position", "Segment 3 of 3", "Alt+↓ opens the next segment");
  await tp.keyboard.press("Control+i");
  await waitText(tp, "#target", "It asks the board to publish it.", "Ctrl+I copies the source");
  await tp.keyboard.press("Control+a");
  await tp.keyboard.press("Backspace");
  // The server's QA (validate_only) speaks while typing: no final stop.
  await tp.keyboard.type("Elle demande au conseil de le publier");
  await waitText(tp, "#server-qa", "Warning", "the server's QA warns before submit");
  await tp.keyboard.type(".");
  await tp.keyboard.press("Control+Enter");
  await tp.waitForSelector("#assignments");
  for (let i = 0; i < 3; i++) check((await segment(frName(i))).state === "SEGMENT_STATE_TRANSLATED", `fr segment ${i + 1} translated`);

  // Arabic: right to left, chips isolated.
  await tp.locator("#assignments tbody tr", { hasText: "ar" }).getByRole("button").click();
  await tp.waitForSelector("#target[contenteditable=true][lang=ar]");
  await tp.keyboard.type("قرار بشأن البيانات ");
  await tp.keyboard.press("Control+t");
  await tp.keyboard.type("المفتوحة");
  // The closing code by clicking it in the source: it lands at the caret.
  await tp.locator("#source .chip-button").nth(1).click();
  check((await tp.locator("#target .chip").count()) === 2 && (await tp.locator("#local-qa li").count()) === 0,
    "a clicked source chip is inserted where the caret was");
  const dir = await tp.evaluate(() => {
    const t = document.getElementById("target");
    const c = t.querySelector(".chip");
    return { target: getComputedStyle(t).direction, chipBidi: c && getComputedStyle(c).unicodeBidi, chipDir: c && getComputedStyle(c).direction };
  });
  check(dir.target === "rtl", "the Arabic target is laid out RTL: " + JSON.stringify(dir));
  check(dir.chipBidi === "isolate" && dir.chipDir === "rtl", "chips are isolated, in the text's direction: " + JSON.stringify(dir));
  // The opening chip stands right of the text it opens onto, its bracket
  // mirrored to face it.
  const layout = await tp.evaluate(() => {
    const [open, close] = Array.from(document.querySelectorAll("#target .chip"));
    const r = document.createRange();
    r.setStart(open.firstChild, 0); r.setEnd(open.firstChild, 1);
    const bracket = r.getBoundingClientRect().x;
    r.setStart(open.firstChild, 1); r.setEnd(open.firstChild, 2);
    return { openRightOfClose: open.getBoundingClientRect().x > close.getBoundingClientRect().x, bracketRightOfNumber: bracket > r.getBoundingClientRect().x };
  });
  check(layout.openRightOfClose && layout.bracketRightOfNumber, "RTL chip layout: " + JSON.stringify(layout));
  await tp.keyboard.press("Control+s");
  await waitText(tp, "#save-state", "Saved", "Ctrl+S saves the Arabic draft");

  // Someone else saves a draft meanwhile; the next save opens the merge
  // view instead of overwriting, and "Keep mine" keeps the translator's.
  const arName = "statements/opendata/languages/ar/segments/" + segs[0].segmentId;
  const before = await segment(arName);
  await call("TranslationService/SaveDraft", { name: arName, version: before.version, content: { text: "نص آخر" } });
  await tp.keyboard.type(" ٢");
  await tp.keyboard.press("Control+s");
  await tp.waitForSelector("#merge");
  await waitText(tp, "#merge", "نص آخر", "the merge view shows the server's text");
  check((await segment(arName)).draft.content.text === "نص آخر", "nothing overwritten before the choice");
  await audit(tp, "merge");
  await tp.locator("#keep-mine").click();
  await waitText(tp, "#save-state", "Saved", "kept text saved");
  check((await segment(arName)).draft.content.text === "قرار بشأن البيانات المفتوحة ٢", "the kept text is on the server: " + (await segment(arName)).draft.content.text);
  await audit(tp, "editor-arabic");

  // Narrow screens: source above target.
  await tp.setViewportSize({ width: 420, height: 900 });
  const stacked = await tp.evaluate(() => {
    const [a, b] = Array.from(document.querySelectorAll(".main-pair > .side")).map((e) => e.getBoundingClientRect());
    return b.top >= a.bottom;
  });
  check(stacked, "source and target are stacked on a narrow screen");
  await audit(tp, "editor-narrow");
  await tp.setViewportSize({ width: 1280, height: 900 });

  // The shortcuts overlay, by its button; "?" outside a text field.
  await tp.locator("#shortcuts-button").click();
  await tp.waitForSelector("dialog#shortcuts[open]");
  check((await text(tp, "dialog#shortcuts")).includes("Ctrl+T"), "the overlay lists Ctrl+T");
  await audit(tp, "shortcuts");
  await tp.keyboard.press("Escape");

  // Reviewer: reject segment 1 with a reason, approve segment 2.
  const rp = await newPage("en-GB");
  await signIn(rp, tokens.rita);
  await audit(rp, "mywork-reviewer");
  await rp.keyboard.press("?");
  await rp.waitForSelector("dialog#shortcuts[open]");
  await rp.keyboard.press("Escape");
  await rp.locator("#assignments tbody tr", { hasText: "fr" }).getByRole("button").click();
  await rp.waitForSelector("#approve");
  await waitText(rp, "#position", "Segment 1 of 3", "the reviewer starts at segment 1");
  await waitText(rp, "#target", "Résolution sur les données ouvertes", "the reviewer sees the translation");
  await rp.locator("#reject").click();
  await waitText(rp, "#error", "Give a reason", "a rejection needs a reason");
  check((await segment(frName(0))).state === "SEGMENT_STATE_TRANSLATED", "nothing rejected without a reason");
  await rp.keyboard.type("Use the glossary term « données ouvertes » in the title.");
  await audit(rp, "review");
  await rp.keyboard.press("Control+Enter");
  await waitText(rp, "#position", "Segment 2 of 3", "after the rejection the next segment opens");
  await rp.keyboard.press("Control+Enter");
  await waitText(rp, "#position", "Segment 3 of 3", "after the approval the next segment opens");
  const r1 = await segment(frName(0));
  check(r1.state === "SEGMENT_STATE_REJECTED" && r1.rejectionReason.includes("données ouvertes"), "segment 1 rejected with the reason");
  check((await segment(frName(1))).state === "SEGMENT_STATE_APPROVED", "segment 2 approved");

  // The translator sees the reason first; a segment they hold shows its
  // time left.
  await call("AssignmentService/ClaimNext", { statement: "statements/opendata", language: "ar", role: "ASSIGNMENT_ROLE_TRANSLATE" }, tokens.tina);
  await tp.goto(base + "#/work");
  await tp.waitForSelector("#rejected-list");
  const first = await tp.evaluate(() => {
    const sections = Array.from(document.querySelectorAll("main section h2")).map((x) => x.id);
    return { sections, reason: document.querySelector("#rejected-list li .reason")?.textContent ?? "" };
  });
  check(first.sections[0] === "rejected-title", "rejections come first: " + first.sections);
  check(first.reason.includes("données ouvertes"), "the reviewer's reason is shown: " + first.reason);
  await audit(tp, "mywork-rejected");
  await tp.locator("#rejected-list a").first().click();
  await tp.waitForSelector(".rejection");
  await waitText(tp, ".rejection", "données ouvertes", "the editor shows the reason");
  // Memory: the approved segment 2 is suggested for a like sentence in a
  // new statement, with its score and source diff; Ctrl+1 uses it.
  await call("StatementService/CreateStatement", {
    statementId: "opendata2", title: "Open data 2", format: "DOCUMENT_FORMAT_MARKDOWN",
    source: Buffer.from("The assembly **welcomes** the [report](https://example.org/r) and thanks the *members*.\n").toString("base64"),
    sourceLanguage: "en", targetLanguages: ["fr"],
  });
  await call("AssignmentService/Assign", { statement: "statements/opendata2", language: "fr", role: "ASSIGNMENT_ROLE_TRANSLATE", scope: { wholeLanguage: {} }, assignee: "users/tina" });
  const seg2 = (await call("TranslationService/ListSegments", { parent: "statements/opendata2/languages/fr" })).translations[0];
  await tp.goto(base + "#/edit/opendata2/fr/" + seg2.segmentId);
  await tp.waitForSelector("#suggestion-list");
  await waitText(tp, "#suggestion-list", "%", "a memory match with its score");
  check((await tp.locator("#suggestion-list .diff del").count()) > 0 && (await tp.locator("#suggestion-list .diff ins").count()) > 0,
    "the match shows the source diff");
  await audit(tp, "editor-suggestions");
  await tp.keyboard.press("Control+1");
  await waitText(tp, "#target", "L’assemblée salue le rapport et remercie les", "Ctrl+1 takes match 1");
  check((await tp.locator("#target .chip").count()) === 6, "with its six chips");

  await tp.goto(base + "#/work");
  await waitText(tp, "#leases-title", "1", "My work lists the held segment");
  await waitText(tp, "main", "min left", "with its time left");

  // Sign out: the cookie is gone, the next visit asks for a token.
  await tp.locator("#sign-out").click();
  await tp.waitForSelector("#signin-form");
  await tp.goto(base + "#/work");
  await tp.waitForSelector("#signin-form");

  check(pageErrors.length === 0, "no page errors or CSP refusals: " + pageErrors.join("\n"));
  for (const s of shots) console.log("screenshot: " + s);
  console.log(`workbench_test: PASS in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (e) {
  console.error(e.stack || String(e));
  console.error("tesserad log: " + logPath);
  for (const s of shots) console.log("screenshot: " + s);
  process.exitCode = 1;
} finally {
  await browser.close();
  server.kill("SIGTERM");
  if (!process.exitCode) fs.rmSync(root, { recursive: true, force: true });
}
