import type { Plugin } from "vite";
import { type Rgba, renderPng } from "./png.js";

const BRAND: Rgba = [55, 48, 163, 255]; // indigo, the app's primary colour
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Inside a rounded rectangle centred at (cx, cy) with half-sizes (hw, hh) and corner radius r. */
function inRoundedRect(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number) {
  const dx = Math.max(Math.abs(x - cx) - (hw - r), 0);
  const dy = Math.max(Math.abs(y - cy) - (hh - r), 0);
  return dx * dx + dy * dy <= r * r;
}

/** Inside the triangle (a, b, c), by the signs of the three edge functions. */
function inTriangle(x: number, y: number, a: [number, number], b: [number, number], c: [number, number]) {
  const side = (p: [number, number], q: [number, number]) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

/**
 * The Softchat mark: a white speech bubble on the brand colour. `inset` shrinks the bubble for maskable
 * icons, whose outer 20% may be cropped by the launcher; `rounded` gives the tile rounded corners.
 */
function drawMark(inset: number, rounded: boolean) {
  return (x: number, y: number): Rgba => {
    if (rounded && !inRoundedRect(x, y, 0.5, 0.5, 0.5, 0.5, 0.2)) return CLEAR;
    const s = 1 - inset * 2;
    const u = (x - inset) / s;
    const v = (y - inset) / s;
    const bubble = inRoundedRect(u, v, 0.5, 0.45, 0.3, 0.22, 0.1);
    const tail = inTriangle(u, v, [0.3, 0.6], [0.44, 0.6], [0.27, 0.8]);
    return bubble || tail ? WHITE : BRAND;
  };
}

/** The icons the manifest and index.html name, rendered at build time (no binary files in the repository). */
export const ICONS: ReadonlyArray<{ file: string; size: number; inset: number; rounded: boolean }> = [
  { file: "icons/icon-192.png", size: 192, inset: 0.08, rounded: true },
  { file: "icons/icon-512.png", size: 512, inset: 0.08, rounded: true },
  { file: "icons/maskable-512.png", size: 512, inset: 0.2, rounded: false },
  { file: "icons/apple-touch-icon.png", size: 180, inset: 0.12, rounded: false },
  { file: "icons/favicon-32.png", size: 32, inset: 0.02, rounded: true },
];

/** Emits the app icons into the build and serves them from the dev server. */
export function appIcons(): Plugin {
  const rendered = new Map<string, Buffer>();
  const render = (file: string) => {
    const icon = ICONS.find((i) => i.file === file);
    if (!icon) return undefined;
    let png = rendered.get(file);
    if (!png) {
      png = renderPng(icon.size, drawMark(icon.inset, icon.rounded));
      rendered.set(file, png);
    }
    return png;
  };
  return {
    name: "softchat:icons",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const png = render((req.url ?? "").replace(/^\//, "").split("?")[0] ?? "");
        if (!png) return next();
        res.setHeader("content-type", "image/png");
        res.end(png);
      });
    },
    generateBundle() {
      for (const icon of ICONS) {
        const source = render(icon.file);
        if (source) this.emitFile({ type: "asset", fileName: icon.file, source });
      }
    },
  };
}
