/**
 * Measures the deep heatmap stage (src/engine/stages/heatmap) on the real data sets, wasm backend.
 * Not part of the product. Usage:
 *   npx tsx research/heatmap-stage.ts <wings|mollusk|mouse-reaching> [inputWidth inputHeight steps channels batch]
 * wings: 46 photos, first 34 train / last 12 test; mollusk: 150 photos, seeded shuffle, 120 / 30;
 * mouse-reaching: 55 video frames, seeded shuffle, 44 / 11.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { initBackend } from '../src/engine/backend/init';
import { decodeFullGrey } from '../src/engine/data/image';
import { DEFAULT_HEATMAP, applyHeatmapMany, heatmapInput, trainHeatmap, disposeHeatmap, type HeatmapConfig, type HeatmapItem } from '../src/engine/stages/heatmap';
import { parseTps } from '../src/shared/tps';
import { mulberry32 } from '../src/shared/augment/rng';

async function load(dir: string, cfg: HeatmapConfig): Promise<HeatmapItem[]> {
  const doc = parseTps(await fs.readFile(path.join(dir, 'landmarks.tps'), 'utf8'));
  const items: HeatmapItem[] = [];
  for (const sp of doc.specimens) {
    const image = sp.fields.find((f) => f.key === 'IMAGE')?.value;
    if (!image) continue;
    const g = await decodeFullGrey(path.join(dir, 'images', image));
    const full = { width: g.width, height: g.height, data: Float32Array.from(g.data) };
    const input = heatmapInput(full, cfg);
    items.push({ input, truth: sp.landmarks.map((p) => (p ? [p.x, full.height - p.y] : null)) });
  }
  return items;
}

async function main(): Promise<void> {
  const [set = 'wings', iw, ih, st, ch, ba] = process.argv.slice(2);
  const cfg: HeatmapConfig = {
    ...DEFAULT_HEATMAP,
    inputWidth: iw ? Number(iw) : DEFAULT_HEATMAP.inputWidth,
    inputHeight: ih ? Number(ih) : DEFAULT_HEATMAP.inputHeight,
    steps: st ? Number(st) : DEFAULT_HEATMAP.steps,
    channels: ch ? Number(ch) : DEFAULT_HEATMAP.channels,
    batch: ba ? Number(ba) : DEFAULT_HEATMAP.batch,
  };
  await initBackend('wasm');
  // the data folder beside the repository (../shared/data), or LANDMARKS_DATA
  const root = process.env.LANDMARKS_DATA ?? path.join(__dirname, '..', '..', 'shared', 'data');
  const folders: Record<string, string> = { wings: 'drosophila-wings', mollusk: 'mollusk', 'mouse-reaching': 'mouse-reaching' };
  if (!folders[set]) throw new Error(`unknown data set ${set} (wings, mollusk or mouse-reaching)`);
  const dir = path.join(root, folders[set]);
  const t0 = Date.now();
  const all = await load(dir, cfg);
  const tLoad = (Date.now() - t0) / 1000;
  let train: HeatmapItem[];
  let test: HeatmapItem[];
  if (set === 'wings') {
    train = all.slice(0, 34);
    test = all.slice(34);
  } else {
    const idx = all.map((_, i) => i);
    const rnd = mulberry32(42);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const nTrain = Math.round(all.length * 0.8);
    train = idx.slice(0, nTrain).map((i) => all[i]);
    test = idx.slice(nTrain).map((i) => all[i]);
  }
  const K = all[0].truth.length;
  const t1 = Date.now();
  const model = await trainHeatmap(train, K, cfg, { log: (m) => console.log(m) }, test);
  const tTrain = (Date.now() - t1) / 1000;
  if (!model) throw new Error('cancelled');
  const t2 = Date.now();
  const preds = await applyHeatmapMany(model, test.map((t) => t.input));
  const tApply = (Date.now() - t2) / 1000;
  const errs: number[] = [];
  const doubts: number[] = [];
  test.forEach((it, i) =>
    it.truth.forEach((t, k) => {
      if (!t) return;
      const p = preds[i].landmarks[k];
      errs.push(Math.hypot(p[0] - t[0], p[1] - t[1]));
      doubts.push(preds[i].doubt[k]);
    }),
  );
  const sorted = [...errs].sort((a, b) => a - b);
  const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
  const p90 = sorted[Math.floor(0.9 * (sorted.length - 1))];
  // rank correlation proxy: mean error of the 10% most doubtful vs the rest
  const order = errs.map((_, i) => i).sort((a, b) => doubts[b] - doubts[a]);
  const top = order.slice(0, Math.ceil(errs.length / 10));
  const topErr = top.reduce((a, i) => a + errs[i], 0) / top.length;
  console.log(
    `RESULT ${set} input ${cfg.inputWidth}x${cfg.inputHeight} ch ${cfg.channels} batch ${cfg.batch} steps ${cfg.steps}: mean ${mean.toFixed(1)} p90 ${p90.toFixed(1)} max ${sorted[sorted.length - 1].toFixed(1)} px; ` +
      `most-doubtful-10% mean ${topErr.toFixed(1)} px; load ${tLoad.toFixed(0)} s train ${tTrain.toFixed(0)} s apply ${tApply.toFixed(1)} s (${test.length} photos)`,
  );
  disposeHeatmap(model);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
