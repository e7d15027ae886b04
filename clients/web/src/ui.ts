// Small DOM helpers and the page's live region.
export type Attrs = Record<string, string | boolean | number | ((e: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

let clearTimer: number | undefined;

// Said by screen readers (role=status, polite) and shown on screen.
export function announce(text: string): void {
  const region = document.getElementById("announce")!;
  region.textContent = "";
  // A fresh text node after a tick makes repeated messages heard again.
  window.setTimeout(() => { region.textContent = text; }, 30);
  window.clearTimeout(clearTimer);
  clearTimer = window.setTimeout(() => { region.textContent = ""; }, 8000);
}

export function showError(text: string): void {
  const box = document.getElementById("error")!;
  box.textContent = text;
  box.hidden = !text;
}

export function timeLeft(until: Date, now = new Date()): number {
  return Math.max(0, Math.round((until.getTime() - now.getTime()) / 60000));
}
