import type { Page } from "playwright-core";

export { chromiumPath, launchChromium } from "../../scripts/chromium";

/** Console errors, page errors and failed requests of a page, collected as they happen. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  return errors;
}

/**
 * Pairs of rendered chart texts whose boxes overlap, and event or violation lines that cross a
 * text, as the browser lays them out. Empty when every label stands clear.
 */
export function chartCollisions(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(COLLISIONS);
}

// Runs in the page, as text: the test's TypeScript settings know no DOM types.
const COLLISIONS = `(() => {
  const out = [];
  const boxes = [...document.querySelectorAll("svg.chart text")]
    .map((el) => ({ text: el.textContent ?? "", r: el.getBoundingClientRect() }))
    .filter((b) => b.r.width > 0 && b.r.height > 0);
  const hit = (a, b) =>
    a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (hit(boxes[i].r, boxes[j].r)) out.push('label "' + boxes[i].text + '" overlaps "' + boxes[j].text + '"');
  for (const line of document.querySelectorAll("svg.chart g.event line, svg.chart g.violation line")) {
    const r = line.getBoundingClientRect();
    const span = new DOMRect(r.left - 0.5, r.top, Math.max(r.width, 1), r.height);
    for (const b of boxes)
      if (hit(span, b.r)) out.push("a line at x=" + Math.round(r.left) + ' crosses "' + b.text + '"');
  }
  return out;
})()`;
