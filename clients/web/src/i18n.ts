// Interface text from the compiled catalogs (messages/*.txt, see build.mjs).
// The language is the one chosen in the page, else the browser's, else
// English; "{1}", "{2}" in a message are replaced by arguments.

let catalog: Record<string, string> = {};
let fallback: Record<string, string> = {};
let current = "en";
export let available: string[] = ["en"];

async function load(lang: string): Promise<Record<string, string>> {
  const r = await fetch(`messages/${lang}.json`);
  if (!r.ok) throw new Error(`catalog ${lang}: ${r.status}`);
  return r.json();
}

export function pick(wanted: readonly string[], have: string[]): string {
  for (const w of wanted) {
    const base = w.toLowerCase().split("-")[0];
    if (have.includes(base)) return base;
  }
  return "en";
}

export async function init(): Promise<void> {
  try {
    available = await (await fetch("messages/index.json")).json();
  } catch {
    available = ["en"];
  }
  fallback = await load("en");
  const saved = localStorage.getItem("tessera.uiLanguage");
  const wanted = saved ? [saved] : [...(navigator.languages ?? [navigator.language])];
  await use(pick(wanted, available));
}

export async function use(lang: string): Promise<void> {
  catalog = lang === "en" ? fallback : await load(lang);
  current = lang;
  document.documentElement.lang = lang;
}

export function language(): string {
  return current;
}

export function choose(lang: string): void {
  localStorage.setItem("tessera.uiLanguage", lang);
}

export function t(key: string, ...args: (string | number)[]): string {
  const m = catalog[key] ?? fallback[key] ?? key;
  return m.replace(/\{(\d+)\}/g, (_, n) => String(args[Number(n) - 1] ?? ""));
}
