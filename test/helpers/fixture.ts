/**
 * A small generated landmark dataset, so the engine's train / predict / evaluate paths are
 * tested on every machine, also where ../shared/data is absent (a user's clone, a bare CI).
 *
 * Each "specimen" is a grey photo of one dark, wing-like polygon on a shaded, noisy background,
 * with bright blobs inside it. The landmarks are the polygon's corners and the blob centres, so
 * every landmark sits on a distinct local pattern a classical matcher can find. The shape moves,
 * turns and scales a little from photo to photo (seeded), so a model must actually locate it: a
 * model answering the mean shape is several pixels off (see meanShapeErrorPx).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { mulberry32 } from '../../src/shared/augment/rng';

export interface FixtureSpecimen {
  /** The photo's file name (in `images/`), also the TPS IMAGE= value. */
  image: string;
  /** Landmarks in image pixels (origin top-left, y down). */
  landmarks: [number, number][];
}

export interface Fixture {
  /** The temp folder holding everything; remove it with removeFixture. */
  dir: string;
  imagesDir: string;
  /** All specimens in one TPS file (tpsDig convention: y up from the bottom-left). */
  tps: string;
  width: number;
  height: number;
  specimens: FixtureSpecimen[];
}

export interface FixtureOptions {
  count?: number;
  width?: number;
  height?: number;
  seed?: number;
}

/** The template shape, centred on (0, 0), in pixels at scale 1: polygon corners, then blobs. */
const CORNERS: [number, number][] = [
  [-95, -22],
  [-40, -48],
  [45, -52],
  [100, -10],
  [70, 40],
  [-60, 36],
];
const BLOBS: [number, number][] = [
  [-30, -5],
  [35, 8],
];
export const FIXTURE_LANDMARKS = CORNERS.length + BLOBS.length;

function insidePolygon(x: number, y: number, poly: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Draws one specimen: 4x4 supersampled polygon edges (so corners are sub-pixel exact), blobs, noise. */
function draw(width: number, height: number, corners: [number, number][], blobs: [number, number][], scale: number, next: () => number): Buffer {
  const px = Buffer.alloc(width * height);
  const shade = 170 + 40 * next();
  const blobSigma = 5 * scale;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let cover = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (insidePolygon(x + (sx - 1.5) / 4, y + (sy - 1.5) / 4, corners)) cover++;
      cover /= 16;
      // a background lit from the left, a darker body
      let v = shade - (30 * x) / width + cover * (60 - shade + 20 * (y / height));
      for (const [bx, by] of blobs) v += 150 * cover * Math.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * blobSigma * blobSigma));
      v += (next() - 0.5) * 16;
      px[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return px;
}

/**
 * Writes `count` specimens (default 24, 320 x 240) as JPEGs into a new temp folder with one TPS
 * file naming them. Deterministic for a seed.
 */
export async function makeFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const count = options.count ?? 24;
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const next = mulberry32(options.seed ?? 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-fixture-'));
  const imagesDir = path.join(dir, 'images');
  fs.mkdirSync(imagesDir);
  const specimens: FixtureSpecimen[] = [];
  const tpsLines: string[] = [];
  for (let n = 0; n < count; n++) {
    const angle = ((next() - 0.5) * 20 * Math.PI) / 180; // +-10 degrees
    const scale = 0.9 + 0.2 * next();
    const cx = width / 2 + (next() - 0.5) * 40;
    const cy = height / 2 + (next() - 0.5) * 30;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    // each specimen's own shape: the template with a little individual variation
    const place = ([x, y]: [number, number]): [number, number] => {
      const jx = x + (next() - 0.5) * 6;
      const jy = y + (next() - 0.5) * 6;
      return [cx + scale * (c * jx - s * jy), cy + scale * (s * jx + c * jy)];
    };
    const corners = CORNERS.map(place);
    const blobs = BLOBS.map(place);
    const image = `fx${String(n + 1).padStart(3, '0')}.jpg`;
    const raw = draw(width, height, corners, blobs, scale, next);
    await sharp(raw, { raw: { width, height, channels: 1 } }).jpeg({ quality: 92 }).toFile(path.join(imagesDir, image));
    const landmarks = [...corners, ...blobs];
    specimens.push({ image, landmarks });
    tpsLines.push(`LM=${landmarks.length}`);
    for (const [x, y] of landmarks) tpsLines.push(`${x.toFixed(2)} ${(height - y).toFixed(2)}`);
    tpsLines.push(`IMAGE=${image}`, `ID=${n}`);
  }
  const tps = path.join(dir, 'landmarks.tps');
  fs.writeFileSync(tps, tpsLines.join('\n') + '\n');
  return { dir, imagesDir, tps, width, height, specimens };
}

export function removeFixture(f: Fixture | undefined): void {
  if (f) fs.rmSync(f.dir, { recursive: true, force: true });
}

/** Mean landmark distance (px) between two landmark lists of the same order; missing skipped. */
export function meanErrorPx(a: readonly (readonly [number, number] | null)[], b: readonly (readonly [number, number] | null)[]): number {
  let sum = 0;
  let n = 0;
  a.forEach((p, j) => {
    const q = b[j];
    if (!p || !q) return;
    sum += Math.hypot(p[0] - q[0], p[1] - q[1]);
    n++;
  });
  return n ? sum / n : NaN;
}

/**
 * The error of the do-nothing answer: each test specimen given the training specimens' mean
 * landmarks. A model that learned to locate the shape must beat it clearly.
 */
export function meanShapeErrorPx(train: readonly FixtureSpecimen[], test: readonly FixtureSpecimen[]): number {
  const k = train[0].landmarks.length;
  const mean: [number, number][] = Array.from({ length: k }, (_, j) => [
    train.reduce((s, t) => s + t.landmarks[j][0], 0) / train.length,
    train.reduce((s, t) => s + t.landmarks[j][1], 0) / train.length,
  ]);
  return test.reduce((s, t) => s + meanErrorPx(mean, t.landmarks), 0) / test.length;
}
