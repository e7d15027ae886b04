// The workbench: sign-in, "My work", the editor (translate and review).
// Screens are chosen by the URL's hash: #/work, #/edit/STATEMENT/LANG/SEGMENT
// with ?role=review for reviewing.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import * as api from "./api";
import { AssignmentRole } from "./gen/tessera/v1/assignment_pb";
import type { User } from "./gen/tessera/v1/identity_pb";
import type { Translation } from "./gen/tessera/v1/translation_pb";
import * as i18n from "./i18n";
import { t } from "./i18n";
import { h, announce, showError, timeLeft } from "./ui";
import { openEditor, leaveEditor, shortcutRows } from "./editor";

let me: User | undefined;

function main(): HTMLElement {
  return document.getElementById("main")!;
}

function setTitle(key: string): void {
  document.title = `${t(key)} — Tessera`;
}

function header(): void {
  const bar = document.getElementById("bar")!;
  const select = h("select", { id: "ui-language", "aria-label": t("app.language") }) as HTMLSelectElement;
  for (const lang of i18n.available) {
    const name = new Intl.DisplayNames([lang], { type: "language" }).of(lang) ?? lang;
    select.append(h("option", { value: lang, selected: lang === i18n.language() }, name));
  }
  select.addEventListener("change", async () => {
    i18n.choose(select.value);
    await i18n.use(select.value);
    header();
    await route();
  });
  bar.replaceChildren(
    h("a", { href: "#/work", class: "brand" }, "Tessera"),
    h("span", { class: "who" }, me ? t("app.signedInAs", me.displayName || me.userId) : ""),
    h("label", { class: "lang" }, t("app.language"), " ", select),
    h("button", { type: "button", id: "shortcuts-button", onclick: () => showShortcuts() }, t("app.shortcuts")),
    me ? h("button", { type: "button", id: "sign-out", onclick: () => void signOut() }, t("app.signOut")) : "",
  );
}

export function showShortcuts(): void {
  const dlg = document.getElementById("shortcuts") as HTMLDialogElement;
  const rows = shortcutRows().map(([keys, what]) =>
    h("tr", {}, h("th", { scope: "row" }, h("kbd", {}, keys)), h("td", {}, what)));
  dlg.replaceChildren(
    h("h2", { id: "shortcuts-title" }, t("shortcuts.title")),
    h("table", {}, h("caption", { class: "sr-only" }, t("shortcuts.title")), h("tbody", {}, ...rows)),
    h("p", {}, t("shortcuts.chromeNote")),
    h("button", { type: "button", onclick: () => dlg.close() }, t("app.close")),
  );
  dlg.setAttribute("aria-labelledby", "shortcuts-title");
  dlg.showModal();
}

async function signOut(): Promise<void> {
  await leaveEditor();
  await api.signOut();
  me = undefined;
  header();
  announce(t("signin.signedOut"));
  location.hash = "#/signin";
}

function signInScreen(): void {
  setTitle("signin.title");
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "current-password", required: true,
    "aria-describedby": "token-help",
  }) as HTMLInputElement;
  const form = h("form", { id: "signin-form", class: "card narrow" },
    h("h1", {}, t("signin.title")),
    h("p", { id: "token-help" }, t("signin.help")),
    h("label", { for: "token" }, t("signin.token")),
    input,
    h("button", { type: "submit", class: "primary" }, t("signin.submit")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    try {
      await api.signIn(input.value.trim());
      me = (await api.identity.whoAmI({})).user;
      header();
      announce(t("signin.done", me?.displayName || me?.userId || ""));
      location.hash = "#/work";
    } catch (err) {
      showError(t("signin.failed", err instanceof api.ConnectError ? err.rawMessage : String(err)));
      input.focus();
    }
  });
  main().replaceChildren(form);
  input.focus();
}

function fmtDate(d: Date): string {
  return new Intl.DateTimeFormat(i18n.language(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

function statementId(name: string): string {
  return name.split("/")[1] ?? name;
}

function editLink(tr: { statement: string; language: string; segment: string }, role: "translate" | "review"): string {
  return `#/edit/${statementId(tr.statement)}/${tr.language}/${tr.segment}` + (role === "review" ? "?role=review" : "");
}

async function workScreen(): Promise<void> {
  setTitle("work.title");
  const root = h("div", { class: "work" }, h("h1", { tabindex: "-1", id: "work-title" }, t("work.title")));
  main().replaceChildren(root);
  const work = await api.assignment.getMyWork({});

  // Rejected first: each is waiting on this translator, with its reason.
  const rejected = await Promise.all(work.rejectedSegments.map((name) => api.translation.getSegment({ name })));
  const rej = h("section", { "aria-labelledby": "rejected-title", class: "card" },
    h("h2", { id: "rejected-title" }, t("work.rejected", rejected.length)));
  if (rejected.length === 0) rej.append(h("p", {}, t("work.noneRejected")));
  else {
    const list = h("ol", { class: "items", id: "rejected-list" });
    for (const tr of rejected) {
      const seg = tr.name.split("/").pop()!;
      list.append(h("li", { class: "rejected" },
        h("p", { class: "reason" }, h("strong", {}, t("work.reason")), " ", tr.rejectionReason),
        h("p", { class: "src" }, tr.source?.content?.text ?? ""),
        h("a", { href: editLink({ statement: tr.statement, language: tr.language, segment: seg }, "translate") },
          t("work.fix", tr.source?.ordinal ?? 0, statementId(tr.statement), tr.language)),
      ));
    }
    rej.append(list);
  }
  root.append(rej);

  const asg = h("section", { "aria-labelledby": "assignments-title", class: "card" },
    h("h2", { id: "assignments-title" }, t("work.assignments", work.assignments.length)));
  if (work.assignments.length === 0) asg.append(h("p", {}, t("work.noAssignments")));
  const table = h("table", { id: "assignments" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("work.statement")), h("th", { scope: "col" }, t("work.language")),
      h("th", { scope: "col" }, t("work.role")), h("th", { scope: "col" }, t("work.deadline")),
      h("th", { scope: "col" }, t("work.progress")), h("th", { scope: "col" }, t("work.action")))));
  const body = h("tbody", {});
  for (const a of work.assignments) {
    const review = a.role === AssignmentRole.REVIEW;
    const done = a.stateCounts.filter((c) => review ? c.state === 3 : c.state === 2 || c.state === 3)
      .reduce((n, c) => n + c.segments, 0);
    const deadline = a.effectiveDeadline ? fmtDate(timestampDate(a.effectiveDeadline)) : t("work.noDeadline");
    const open = h("button", { type: "button", class: "primary" }, review ? t("work.openReview") : t("work.openTranslate"));
    open.addEventListener("click", () => void openAssignment(a.statement, a.language, review));
    body.append(h("tr", { class: a.overdue ? "overdue" : "" },
      h("td", {}, statementId(a.statement)), h("td", {}, a.language),
      h("td", {}, review ? t("role.review") : t("role.translate")),
      h("td", {}, deadline, a.overdue ? h("strong", {}, " ", t("work.overdue")) : ""),
      h("td", {}, h("progress", { max: a.segmentCount || 1, value: done, "aria-label": t("work.done", done, a.segmentCount) }),
        " ", t("work.done", done, a.segmentCount)),
      h("td", {}, open)));
  }
  table.append(body);
  if (work.assignments.length) asg.append(table);
  root.append(asg);

  const lz = h("section", { "aria-labelledby": "leases-title", class: "card" },
    h("h2", { id: "leases-title" }, t("work.leases", work.leases.length)));
  const ll = h("ul", { class: "items" });
  for (const l of work.leases) {
    const left = l.expireTime ? timeLeft(timestampDate(l.expireTime)) : 0;
    const parts = l.segment.split("/");
    ll.append(h("li", {}, h("a", { href: `#/edit/${parts[1]}/${parts[3]}/${parts[5]}` }, `${parts[1]} · ${parts[3]} · ${parts[5]}`),
      " ", t("work.leaseLeft", left)));
  }
  if (work.leases.length === 0) lz.append(h("p", {}, t("work.noLeases")));
  else lz.append(ll);
  root.append(lz);
  (document.getElementById("work-title") as HTMLElement).focus();
}

// Opens the first segment of the caller's scope that still needs them.
async function openAssignment(stmt: string, lang: string, review: boolean): Promise<void> {
  const list = await mySegments(stmt, lang, me!.name);
  const wanted = review ? [2] : [1, 4, 5];
  const first = list.find((x) => wanted.includes(x.state)) ?? list[0];
  if (!first) { showError(t("work.empty")); return; }
  location.hash = editLink({ statement: stmt, language: lang, segment: first.segmentId }, review ? "review" : "translate");
}

export async function mySegments(stmt: string, lang: string, user: string): Promise<Translation[]> {
  const out: Translation[] = [];
  let pageToken = "";
  do {
    const r = await api.translation.listSegments({ parent: `${stmt}/languages/${lang}`, assignee: user, pageSize: 1000, pageToken });
    out.push(...r.translations);
    pageToken = r.nextPageToken;
  } while (pageToken);
  return out;
}

export function currentUser(): User | undefined {
  return me;
}

async function route(): Promise<void> {
  showError("");
  const hash = location.hash || "#/work";
  if (!me) {
    try {
      me = (await api.identity.whoAmI({})).user;
      header();
    } catch {
      me = undefined;
    }
  }
  if (!me || hash.startsWith("#/signin")) {
    if (me && hash.startsWith("#/signin")) { location.hash = "#/work"; return; }
    await leaveEditor();
    signInScreen();
    return;
  }
  const m = hash.match(/^#\/edit\/([^/]+)\/([^/]+)\/([^/?]+)(\?role=review)?$/);
  try {
    if (m) {
      await openEditor(main(), `statements/${m[1]}`, m[2], m[3], m[4] ? "review" : "translate");
    } else {
      await leaveEditor();
      await workScreen();
    }
  } catch (err) {
    if (err instanceof api.ConnectError && err.code === api.Code.Unauthenticated) {
      me = undefined;
      header();
      location.hash = "#/signin";
      return;
    }
    showError(err instanceof api.ConnectError ? err.rawMessage : String(err));
  }
}

async function boot(): Promise<void> {
  await i18n.init();
  header();
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName));
    if (e.key === "?" && !typing) { e.preventDefault(); showShortcuts(); }
    if (e.key === "/" && e.ctrlKey) { e.preventDefault(); showShortcuts(); }
  });
  window.addEventListener("hashchange", () => void route());
  await route();
  document.body.dataset.ready = "1";
}

void boot();
