/**
 * Layout maths of the results view: fitting photos into thumbnails, the heatmap grid, and the
 * spatial view's error vectors moved onto a reference image. Pure, unit-tested.
 */
import type { ImagePoint, ResultsImage } from '../../shared/protocol/views';

export interface Fit {
  scale: number;
  width: number;
  height: number;
}

/** Scale to fit w x h inside maxW x maxH (never enlarging beyond 1 unless `grow`). */
export function fitInside(w: number, h: number, maxW: number, maxH: number, grow = false): Fit {
  let scale = Math.min(maxW / w, maxH / h);
  if (!grow) scale = Math.min(1, scale);
  if (!Number.isFinite(scale) || scale <= 0) scale = 1;
  return { scale, width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** The bounding box of a card's points, for drawing without a photo. */
export function pointsExtent(im: Pick<ResultsImage, 'manual' | 'predicted' | 'width' | 'height'>): { width: number; height: number } {
  let w = im.width ?? 0;
  let h = im.height ?? 0;
  if (w && h) return { width: w, height: h };
  for (const p of [...im.manual, ...im.predicted]) if (p) {
    w = Math.max(w, p.x);
    h = Math.max(h, p.y);
  }
  return { width: Math.ceil(w * 1.05) || 100, height: Math.ceil(h * 1.05) || 100 };
}

export interface HeatmapGrid {
  cell: number;
  cols: number;
  rows: number;
  width: number;
  height: number;
  left: number;
  top: number;
}

/**
 * Landmark x image grid: one row per landmark, one column per image (worst first). Cells are
 * square, between 4 and 28 px, to fit `maxWidth`.
 */
export function heatmapGrid(landmarks: number, images: number, maxWidth: number, left = 34, top = 4): HeatmapGrid {
  const avail = Math.max(50, maxWidth - left - 8);
  const cell = Math.max(4, Math.min(28, Math.floor(avail / Math.max(1, images))));
  return { cell, cols: images, rows: landmarks, width: left + cell * images + 8, height: top + cell * landmarks + 4, left, top };
}

/** The cell under a point, or undefined. */
export function cellAt(g: HeatmapGrid, x: number, y: number): { row: number; col: number } | undefined {
  const col = Math.floor((x - g.left) / g.cell);
  const row = Math.floor((y - g.top) / g.cell);
  if (col < 0 || row < 0 || col >= g.cols || row >= g.rows) return undefined;
  return { row, col };
}

export interface SpatialLandmark {
  index: number; // 0-based
  /** Position on the reference image (its manual landmark). */
  at: ImagePoint;
  /** Error vectors (predicted - manual) of every image, in reference-image pixels. */
  vectors: ImagePoint[];
  mean: number;
}

/**
 * For each landmark: where it sits on the reference image and the error vectors of all images,
 * rescaled by the ratio of image widths so vectors from photos of another size stay comparable.
 */
export function spatialLandmarks(images: readonly ResultsImage[], ref: ResultsImage, count: number): SpatialLandmark[] {
  const out: SpatialLandmark[] = [];
  const refW = ref.width ?? pointsExtent(ref).width;
  for (let k = 0; k < count; k++) {
    const at = ref.manual[k];
    if (!at) continue;
    const vectors: ImagePoint[] = [];
    let sum = 0;
    let n = 0;
    for (const im of images) {
      const a = im.manual[k];
      const b = im.predicted[k];
      const e = im.errors[k];
      if (e !== null && e !== undefined && Number.isFinite(e)) {
        sum += e;
        n++;
      }
      if (!a || !b) continue;
      const s = refW / (im.width ?? pointsExtent(im).width);
      vectors.push({ x: (b.x - a.x) * s, y: (b.y - a.y) * s });
    }
    out.push({ index: k, at, vectors, mean: n ? sum / n : NaN });
  }
  return out;
}

export const MAGNIFICATIONS = [1, 2, 5, 10, 20, 50] as const;

/**
 * A magnification for error vectors so that the typical (mean) error is drawn about 3% of the
 * image width long: small errors of a good model stay readable. 1, 2, 5, 10, 20 or 50.
 */
export function autoMagnification(meanError: number, imageWidth: number): number {
  if (!(meanError > 0) || !(imageWidth > 0)) return 1;
  const want = (0.03 * imageWidth) / meanError;
  let best = 1;
  for (const m of MAGNIFICATIONS) if (m <= want) best = m;
  return best;
}

export interface ColumnLabels {
  /** One column in `every` gets a label (all when the cells are wide enough). */
  every: number;
  labels: { col: number; text: string }[];
  /** Drawn turned a quarter (reading upwards) when a label is wider than its column. */
  rotated: boolean;
  /** Room the labels need under the grid, px. */
  height: number;
}

/** The label of an image column: its name without the extension, shortened with an ellipsis to `maxWidth`. */
export function columnLabelText(name: string, measure: (s: string) => number, maxWidth: number): string {
  const stem = name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || name;
  if (measure(stem) <= maxWidth) return stem;
  let n = stem.length;
  while (n > 1 && measure(`${stem.slice(0, n)}…`) > maxWidth) n--;
  return `${stem.slice(0, n)}…`;
}

/**
 * Labels of the heatmap's image columns: every column when the cells are at least `minSpacing`
 * px apart, else one in `every` so that labels never overlap; rotated when a label is wider than
 * the spacing; names shortened to `maxWidth` px.
 */
export function columnLabels(names: readonly string[], cell: number, measure: (s: string) => number, options: { minSpacing?: number; maxWidth?: number; fontHeight?: number } = {}): ColumnLabels {
  const minSpacing = options.minSpacing ?? 12;
  const maxWidth = options.maxWidth ?? 110;
  const fontHeight = options.fontHeight ?? 10;
  const every = Math.max(1, Math.ceil(minSpacing / Math.max(1, cell)));
  const labels: { col: number; text: string }[] = [];
  for (let col = 0; col < names.length; col += every) labels.push({ col, text: columnLabelText(names[col], measure, maxWidth) });
  const widest = Math.max(0, ...labels.map((l) => measure(l.text)));
  const rotated = widest + 2 > cell * every;
  return { every, labels, rotated, height: labels.length ? Math.ceil((rotated ? widest : fontHeight) + 6) : 0 };
}
