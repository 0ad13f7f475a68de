/**
 * "An animal anywhere in a large frame": pastes each photo of a TPS data folder at a seeded random
 * place into a canvas `factor` times larger (plain grey), and writes the moved landmarks, so a
 * preset can be trained and tested on it with the CLI. Not part of the product. Usage:
 *   npx tsx research/large-frame.ts SRC_DIR OUT_DIR [factor=2] [seed=7]
 * SRC_DIR holds landmarks.tps and images/ (e.g. ../shared/data/mouse-reaching); OUT_DIR gets the same.
 * Landmarks stay in TPS coordinates (y up from the bottom-left), so y moves by the canvas' extra height.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { parseTps, writeTps } from '../src/shared/tps';
import { mulberry32 } from '../src/shared/augment/rng';

async function main(): Promise<void> {
  const [src, out, f = '2', s = '7'] = process.argv.slice(2);
  if (!src || !out) throw new Error('usage: npx tsx research/large-frame.ts SRC_DIR OUT_DIR [factor] [seed]');
  const factor = Number(f);
  const rnd = mulberry32(Number(s));
  const doc = parseTps(await fs.readFile(path.join(src, 'landmarks.tps'), 'utf8'));
  await fs.mkdir(path.join(out, 'images'), { recursive: true });
  for (const sp of doc.specimens) {
    const image = sp.fields.find((x) => x.key === 'IMAGE')?.value;
    if (!image) continue;
    const file = path.join(src, 'images', image);
    const { width = 0, height = 0 } = await sharp(file).metadata();
    const W = Math.round(width * factor);
    const H = Math.round(height * factor);
    const left = Math.round(rnd() * (W - width));
    const top = Math.round(rnd() * (H - height));
    await sharp({ create: { width: W, height: H, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .composite([{ input: file, left, top }])
      .png()
      .toFile(path.join(out, 'images', image));
    // image y (down) = height - tps y; moved by `top`, then back to TPS in the canvas: H - (y + top)
    sp.landmarks = sp.landmarks.map((p) => (p ? { x: p.x + left, y: H - (height - p.y + top) } : p));
  }
  await fs.writeFile(path.join(out, 'landmarks.tps'), writeTps(doc));
  console.log(`${doc.specimens.length} photos, ${factor}x canvas -> ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
