/**
 * What a screenshot shows, in numbers: so a screenshot test fails when the landmarks, the photo
 * or the heatmap are not on screen, not only when the PNG is small. The PNG is decoded by ./png.ts
 * (zlib only: sharp must never load in the extension host these tests run in).
 */
import * as fs from 'fs';
import { decodePng } from './png';
import { colourAt } from '../../../src/webview/results/colour';

export type Rgb = readonly [number, number, number];

/** A decoded screenshot: RGBA, row-major. */
export interface Picture {
  width: number;
  height: number;
  data: Buffer;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function readPicture(png: string): Promise<Picture> {
  return decodePng(await fs.promises.readFile(png), png);
}

function clip(pic: Picture, r: Rect | undefined): Rect {
  if (!r) return { x: 0, y: 0, width: pic.width, height: pic.height };
  const x = Math.max(0, Math.floor(r.x));
  const y = Math.max(0, Math.floor(r.y));
  return { x, y, width: Math.max(0, Math.min(pic.width, Math.ceil(r.x + r.width)) - x), height: Math.max(0, Math.min(pic.height, Math.ceil(r.y + r.height)) - y) };
}

/** Largest channel difference between pixel i and `c` (antialiased edges sit a little off). */
function distance(pic: Picture, i: number, c: Rgb): number {
  const d = pic.data;
  return Math.max(Math.abs(d[4 * i] - c[0]), Math.abs(d[4 * i + 1] - c[1]), Math.abs(d[4 * i + 2] - c[2]));
}

export interface ColourBlobs {
  /** Pixels within `tolerance` of the colour. */
  pixels: number;
  /** Connected groups (8-neighbour) of at least `minPixels` such pixels: e.g. landmark markers. */
  blobs: number;
  /** Bounding box of those groups, in screenshot pixels; undefined when there is none. */
  box?: Rect;
  /** Each group's own box, largest group first. */
  marks: Rect[];
}

/** Where a colour is on screen: how many pixels, in how many separate marks, within which box. */
export function colourBlobs(pic: Picture, colour: Rgb, tolerance = 24, minPixels = 6, region?: Rect): ColourBlobs {
  return blobsWhere(pic, (i) => distance(pic, i, colour) <= tolerance, minPixels, region);
}

/** colourBlobs for any test of a pixel (its index in the picture). */
export function blobsWhere(pic: Picture, match: (i: number) => boolean, minPixels = 6, region?: Rect): ColourBlobs {
  const r = clip(pic, region);
  const mask = new Uint8Array(r.width * r.height);
  let pixels = 0;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (match((r.y + y) * pic.width + r.x + x)) {
        mask[y * r.width + x] = 1;
        pixels++;
      }
    }
  }
  let blobs = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const stack: number[] = [];
  const marks: { size: number; box: Rect }[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1) continue;
    mask[start] = 2;
    stack.push(start);
    const members: number[] = [];
    while (stack.length) {
      const k = stack.pop() as number;
      members.push(k);
      const kx = k % r.width;
      const ky = (k - kx) / r.width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = kx + dx;
          const ny = ky + dy;
          if (nx < 0 || ny < 0 || nx >= r.width || ny >= r.height) continue;
          const n = ny * r.width + nx;
          if (mask[n] === 1) {
            mask[n] = 2;
            stack.push(n);
          }
        }
      }
    }
    if (members.length < minPixels) continue;
    blobs++;
    let mx0 = Infinity;
    let my0 = Infinity;
    let mx1 = -Infinity;
    let my1 = -Infinity;
    for (const k of members) {
      const kx = k % r.width;
      const ky = (k - kx) / r.width;
      mx0 = Math.min(mx0, kx);
      my0 = Math.min(my0, ky);
      mx1 = Math.max(mx1, kx);
      my1 = Math.max(my1, ky);
    }
    marks.push({ size: members.length, box: { x: r.x + mx0, y: r.y + my0, width: mx1 - mx0 + 1, height: my1 - my0 + 1 } });
    x0 = Math.min(x0, mx0);
    y0 = Math.min(y0, my0);
    x1 = Math.max(x1, mx1);
    y1 = Math.max(y1, my1);
  }
  marks.sort((a, b) => b.size - a.size);
  return {
    pixels,
    blobs,
    marks: marks.map((m) => m.box),
    ...(blobs ? { box: { x: r.x + x0, y: r.y + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } } : {}),
  };
}

/**
 * Share of a region's pixels that have its most common exact colour: near 1 for a blank canvas
 * with a few marks on it, small for a photo (sensor noise and JPEG give every pixel its own).
 */
export function dominantShare(pic: Picture, region?: Rect): number {
  const r = clip(pic, region);
  const counts = new Map<number, number>();
  let best = 0;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const i = 4 * ((r.y + y) * pic.width + r.x + x);
      const key = (pic.data[i] << 16) | (pic.data[i + 1] << 8) | pic.data[i + 2];
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > best) best = n;
    }
  }
  return r.width * r.height ? best / (r.width * r.height) : 0;
}

/** Distinct colours among the pixels that `keep` accepts (all when absent) in a region. */
export function distinctColours(pic: Picture, region?: Rect, keep?: (c: Rgb) => boolean): number {
  const r = clip(pic, region);
  const seen = new Set<number>();
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const i = 4 * ((r.y + y) * pic.width + r.x + x);
      const c: Rgb = [pic.data[i], pic.data[i + 1], pic.data[i + 2]];
      if (!keep || keep(c)) seen.add((c[0] << 16) | (c[1] << 8) | c[2]);
    }
  }
  return seen.size;
}

/** The editor's landmark colour (media/editor.css --lm-fill: each marker's ring and dot). */
export const LANDMARK_FILL: Rgb = [0xff, 0xd4, 0x00];

export interface DrawnLandmarks {
  blobs: ColourBlobs;
  /** Share of the most common colour around the markers: small over a photo, ~1 on a blank canvas. */
  flat: number;
}

/**
 * Finds the landmark markers in a screenshot of the Landmark Editor and asserts that they are
 * there: one separate yellow mark per landmark (two nearby markers may touch: one mark less
 * allowed), no more than two per landmark (so not a yellow screen), and behind them a photo
 * (`photo`: no one colour covers 80% of the markers' box; measured 0.1-43%, the mollusk's white
 * background the most) or the blank canvas (one colour covers over 90%; measured 97%).
 */
export async function assertLandmarksDrawn(png: string, expected: { landmarks: number; photo: boolean }): Promise<DrawnLandmarks> {
  const pic = await readPicture(png);
  const blobs = colourBlobs(pic, LANDMARK_FILL, 40, 6);
  const what = `${png}: ${blobs.blobs} yellow marks (${blobs.pixels} px) for ${expected.landmarks} landmarks`;
  if (blobs.blobs < expected.landmarks - 1 || blobs.blobs > 2 * expected.landmarks || !blobs.box) throw new Error(`landmarks not drawn: ${what}`);
  const flat = dominantShare(pic, blobs.box);
  if (expected.photo && flat > 0.8) throw new Error(`no photo behind the landmarks: one colour covers ${(100 * flat).toFixed(0)}% of their box; ${what}`);
  if (!expected.photo && flat < 0.9) throw new Error(`not a blank canvas behind the landmarks: its most common colour covers ${(100 * flat).toFixed(0)}%; ${what}`);
  return { blobs, flat };
}

/** The doubt ring around a landmark to check (media/editor.css .doubt-ring: a dashed amber circle). */
export const DOUBT_RING: Rgb = [0xff, 0xb0, 0x00];

/**
 * Finds the dashed doubt rings in a screenshot of the Landmark Editor: amber dashes (the
 * landmarks' yellow is 36 levels of green away, beyond the tolerance) around `rings` landmarks,
 * at least three dashes per ring (a ring is at least 2 pi x 11 px round, a dash and its gap 9 px),
 * near the markers (`around`: their box).
 */
export async function assertDoubtRingsDrawn(png: string, expected: { rings: number; around: Rect }): Promise<ColourBlobs> {
  const pic = await readPicture(png);
  // around the markers only: the landmark list's flags are amber too
  const m = 60;
  const a = expected.around;
  const dashes = colourBlobs(pic, DOUBT_RING, 14, 3, { x: Math.max(0, a.x - m), y: Math.max(0, a.y - m), width: a.width + 2 * m, height: a.height + 2 * m });
  const what = `${png}: ${dashes.blobs} amber dashes (${dashes.pixels} px) for ${expected.rings} doubt ring(s)`;
  if (dashes.blobs < 3 * expected.rings) throw new Error(`doubt rings not drawn: ${what}`);
  return dashes;
}

/** True for a colour on the results view's error map (viridis-like, src/webview/results/colour.ts). */
export function onErrorMap(c: Rgb, tolerance = 6): boolean {
  for (let k = 0; k <= 64; k++) {
    const m = colourAt(k / 64);
    if (Math.max(Math.abs(c[0] - m[0]), Math.abs(c[1] - m[1]), Math.abs(c[2] - m[2])) <= tolerance) return true;
  }
  return false;
}

export interface ResultsSeen {
  /** Separate patches of error-map colour: the heatmap's cells (white grid lines part them) and the legend. */
  cells: number;
  colours: number;
}

/**
 * Asserts a screenshot of the results view shows the landmark x image heatmap: at least `cells`
 * separate patches in the error map's colours (a missing or collapsed heatmap has none or one)
 * in more than `minColours` distinct colours (one flat colour is a map that says nothing).
 */
export async function assertHeatmapDrawn(png: string, expected: { cells: number; minColours: number }): Promise<ResultsSeen> {
  const pic = await readPicture(png);
  const d = pic.data;
  const patches = blobsWhere(pic, (i) => onErrorMap([d[4 * i], d[4 * i + 1], d[4 * i + 2]]), 40);
  const colours = distinctColours(pic, patches.box, (c) => onErrorMap(c));
  const what = `${png}: ${patches.blobs} error-map patches in ${colours} colours, for ${expected.cells} cells`;
  if (patches.blobs < expected.cells || patches.blobs > expected.cells + 2) throw new Error(`heatmap cells not drawn: ${what}`);
  if (colours < expected.minColours) throw new Error(`heatmap flat: ${what}`);
  return { cells: patches.blobs, colours };
}

/**
 * The training view's curves (src/extension/workbench/webview-css.ts: the theme's charts-blue
 * and charts-orange; Light Modern's, then the fallbacks).
 */
const TRAIN_BLUES: Rgb[] = [[0x1a, 0x5c, 0xff], [0x37, 0x94, 0xff]];
const VAL_ORANGES: Rgb[] = [[0xd1, 0x86, 0x16]];

/**
 * Asserts a screenshot of the training view shows the loss curves: the training curve is a blue
 * mark at least `minWidth` px wide (batches along the epochs), and the validation curve an orange
 * line at least `minValWidth` px wide that ends where the training curve ends (both reach the
 * last epoch; validation starts at the end of epoch 1, training within it). The per-landmark
 * bars share the orange but end far left of the plot's last epoch.
 */
export async function assertCurvesDrawn(png: string, expected: { minWidth: number; minValWidth: number }): Promise<{ train: Rect; val: Rect }> {
  const pic = await readPicture(png);
  const near = (cs: Rgb[]) => (i: number): boolean => cs.some((c) => distance(pic, i, c) <= 20);
  const train = blobsWhere(pic, near(TRAIN_BLUES), 10).marks[0];
  if (!train || train.width < expected.minWidth) throw new Error(`${png}: no training curve (largest blue mark ${JSON.stringify(train)})`);
  const end = train.x + train.width;
  const oranges = blobsWhere(pic, near(VAL_ORANGES), 10).marks;
  // 6 px: the validation dot (radius 3) sticks out past the line's end
  const val = oranges.find((m) => Math.abs(m.x + m.width - end) <= 6 && m.width >= expected.minValWidth);
  if (!val) throw new Error(`${png}: no validation curve ending at the last epoch (training curve ${JSON.stringify(train)}; orange marks ${JSON.stringify(oranges.slice(0, 4))})`);
  return { train, val };
}
