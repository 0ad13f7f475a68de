/**
 * The mollusk set made small enough to travel to the GPU machine (its 64 MiB working tree holds
 * Node and the engine too): every photo resized to WIDTH px wide (JPEG q90), its landmarks
 * scaled with it, one landmarks.tps (tpsDig convention, y up) and scale.json (original px per
 * travelled px, per image file) so the device check reports errors in original photo pixels too.
 * The paper net sees 256x192 either way. Written into an ignored folder, never committed.
 *
 * Usage: tsx scripts/device/shrink-data.ts <dataset-folder> <out-folder> [width=512]
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { loadSamples } from '../../src/engine/train/samples';

async function main(): Promise<number> {
  const [src, out, w] = process.argv.slice(2);
  if (!src || !out) {
    console.error('usage: tsx scripts/device/shrink-data.ts <dataset-folder> <out-folder> [width]');
    return 2;
  }
  const width = Number(w ?? 512);
  const set = await loadSamples([{ data: path.join(src, 'landmarks.tps'), images: path.join(src, 'images') }]);
  if (set.samples.length === 0) throw new Error(`${src}: no usable specimens`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'images'), { recursive: true });
  const lines: string[] = [];
  const scale: Record<string, number> = {};
  for (const s of set.samples) {
    const meta = await sharp(s.imagePath).metadata();
    const W = meta.width ?? 0;
    const H = meta.height ?? 0;
    const w2 = Math.min(width, W);
    const h2 = Math.round((H * w2) / W);
    // the original file name: the held-out split sorts by it (src/shared/dataset/held-out.ts)
    const name = `${path.parse(s.imagePath).name}.jpg`;
    await sharp(s.imagePath).resize(w2, h2, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(path.join(out, 'images', name));
    const sx = w2 / W;
    const sy = h2 / H;
    lines.push(`LM=${s.landmarks.length}`);
    for (const p of s.landmarks) {
      // tpsDig: origin bottom-left, y up; -1 -1 is its missing-landmark code
      lines.push(p ? `${(p[0] * sx).toFixed(3)} ${(h2 - p[1] * sy).toFixed(3)}` : '-1 -1');
    }
    lines.push(`IMAGE=${name}`, `ID=${s.name}`);
    scale[name] = W / w2;
  }
  fs.writeFileSync(path.join(out, 'landmarks.tps'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'scale.json'), JSON.stringify({ width, originalPxPerPx: scale }, null, 1));
  console.log(`${set.samples.length} photos at ${width} px wide into ${out}`);
  return 0;
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
