import type { Page } from "playwright-core";

const CONTROL_ROLES = "textbox|searchbox|combobox|spinbutton|slider|checkbox|radio|switch|button|link";
/** An accessibility-tree line of a control with no name: `- textbox`, `- button [pressed]:`. */
const UNNAMED = new RegExp(`^- (${CONTROL_ROLES})(?: \\[[^\\]]*\\])*:?$`);

/** The controls on the page that assistive technology would announce without a name (none, ideally). */
export async function unnamedControls(page: Page): Promise<string[]> {
  const tree = await page.locator("body").ariaSnapshot();
  return tree
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => UNNAMED.test(line));
}

/**
 * Presses Tab `presses` times from the top of the page and returns the focused elements that showed no
 * focus indicator (no outline and no box-shadow): keyboard users must always see where they are.
 */
export async function invisibleFocusStops(page: Page, presses: number): Promise<string[]> {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  const invisible: string[] = [];
  let reached = 0;
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!(el instanceof HTMLElement) || el === document.body) return null;
      const style = getComputedStyle(el);
      const outlined = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0;
      const shadowed = style.boxShadow !== "none";
      const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40);
      return { visible: outlined || shadowed, what: `${el.tagName.toLowerCase()} "${name}"` };
    });
    if (!stop) continue;
    reached++;
    if (!stop.visible) invisible.push(stop.what);
  }
  if (reached === 0) invisible.push("Tab never reached a control");
  return invisible;
}

/**
 * Text on the page whose contrast with what is behind it is under WCAG AA: 4.5:1, or 3:1 for large text
 * (24 px, or 18.66 px bold). Backgrounds are composed from the element up to the page, alpha included;
 * disabled controls (exempt in WCAG) and text over images are skipped.
 */
export async function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba | null => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      if (!m?.[1]) return null;
      const [r = 0, g = 0, b = 0, a = 1] = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [r, g, b, a];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => (top[i] ?? 0) * a + (bottom[i] ?? 0) * (1 - a)).concat(1) as Rgba;
    };
    const luminance = (c: Rgba) => {
      const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    };
    const backdrop = (el: Element): Rgba | null => {
      const layers: Rgba[] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.backgroundImage !== "none") return null;
        const bg = parse(style.backgroundColor);
        if (bg && bg[3] > 0) layers.push(bg);
      }
      return layers.reduceRight<Rgba>((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const found: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? "")
        .join("")
        .trim();
      if (!text || !(el instanceof HTMLElement) || el.closest(":disabled, [aria-hidden='true']")) continue;
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (rect.width < 2 || rect.height < 2 || style.visibility !== "visible") continue;
      const bg = backdrop(el);
      const fg = parse(style.color);
      if (!bg || !fg) continue;
      const [l1, l2] = [luminance(over(fg, bg)), luminance(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        found.push(`"${text.slice(0, 30)}" ${ratio.toFixed(2)}:1 (${style.color})`);
    }
    return found;
  });
}
