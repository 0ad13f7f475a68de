/**
 * `npm run bench`: trains and evaluates the presets (`default`, `pose`, `paper`) on the real data in
 * ../shared/data, through the same engine code the extension and the CLI run, and prints one
 * table (per-landmark mean error in original pixels, mean / median / p90, mean as % of the image
 * width, training wall time, prediction images/s including JPEG decode, peak memory, backend,
 * outlier ranking). Writes the same as JSON into bench-results/.
 *
 *   mollusk: a fixed seeded 80/20 split (the 20% are never trained on nor used for selection);
 *   wings:   the paper's rounds (test sets of 12 until every image was tested once).
 *
 * Each (dataset, preset) runs in its own child process (clean peak memory, wasm heap freed).
 * Ctrl-C: the running job is cancelled, the finished ones are printed, and the table says so.
 *
 *   mouse-reaching: rounds of 11 (DeepLabCut's Reaching-Mackenzie labelled frames).
 *
 * Options: --dataset mollusk|wings|mouse-reaching (repeatable), --preset default|pose|paper (repeatable),
 *   --profile FILE.json (repeatable: `default` with that profile of stages; alone it runs only the
 *   profiles, with --preset default today's row is beside them),
 *   --backend wasm|auto|cpu|native-cpu|native-gpu (default wasm: the targets are for wasm),
 *   --paper-epochs N (default 10 mollusk / 20 wings; the paper's own 60 would take hours on
 *   wasm here), --seed N (default 1), --out DIR (default bench-results), --data DIR.
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { isPresetName, PRESET_NAMES, type BackendChoice, type PresetName, type ProfileSpec } from '../src/shared/protocol/engine';
import { percentileSorted } from '../src/shared/metrics/stats';
import { doubtFigures, type DoubtFigures } from '../src/shared/metrics/doubt';
import { bootstrapMean, verdict } from '../src/shared/metrics/bootstrap';

type DatasetName = 'mollusk' | 'wings' | 'mouse-reaching';

interface JobSpec {
  dataset: DatasetName;
  preset: PresetName;
  /** `default` run with another profile (--profile FILE): its name labels the row. */
  profile?: ProfileSpec;
  backend: BackendChoice;
  seed: number;
  epochs?: number;
  dataRoot: string;
  work: string;
}

export interface JobResult {
  dataset: DatasetName;
  /** The preset, or `default:<profile>` for a --profile row. */
  preset: string;
  backend: string;
  protocol: string;
  trainImages: number;
  testImages: number;
  landmarks: number;
  perLandmarkMean: number[];
  mean: number;
  median: number;
  p90: number;
  meanPctWidth: number;
  trainSeconds: number;
  predictImagesPerSecond: number;
  peakRssMiB: number;
  epochs?: number;
  /** Share of the big errors (> p90) held by the 10% most doubtful images / landmarks, and the most a perfect ranking of the images could hold. */
  outliers?: { imageTop10Share: number; landmarkTop10Share: number; bigErrors: number; imageTop10Best?: number };
  /** Per-landmark doubt against the error (targets: Spearman >= 0.45, top-10% share >= 40%, coverage 85-95%). */
  doubt?: DoubtFigures;
  /** Presets of stages: per test photo, the stages that ran on it (a round may skip one for want of photos) and its mean error after each. */
  stagePhotos?: { stages: string[]; errors: number[] }[];
  cancelled: boolean;
  seconds: number;
}

const DATASETS: Record<DatasetName, { folder: string; protocol: string; roundSize?: number }> = {
  mollusk: { folder: 'mollusk', protocol: 'seeded 80/20 split' },
  wings: { folder: 'drosophila-wings', protocol: 'rounds of 12', roundSize: 12 },
  // DeepLabCut's Reaching-Mackenzie labelled frames (5 keypoints, some missing): a third kind of
  // picture (an animal and a tool in a video frame), never used for tuning
  'mouse-reaching': { folder: 'mouse-reaching', protocol: 'rounds of 11', roundSize: 11 },
};

// The fixed held-out split lives in the pure core (the bundled device check uses it too).
export { heldOutSplit, SPLIT_SEED } from '../src/shared/dataset/held-out';
import { heldOutSplit } from '../src/shared/dataset/held-out';

/** Share of the big errors (> p90) that the 10% least-confident items hold, and the most any ranking's 10% could hold. */
export function outlierShare(items: { error: number[]; doubt: number }[], bigThreshold: number): { share: number; big: number; best: number } {
  const big = (e: number[]): number => e.filter((v) => v > bigThreshold).length;
  const total = items.reduce((a, it) => a + big(it.error), 0);
  const k = Math.max(1, Math.round(items.length * 0.1));
  const caught = [...items].sort((a, b) => b.doubt - a.doubt).slice(0, k).reduce((a, it) => a + big(it.error), 0);
  // what a perfect ranking would catch: the k items holding the most big errors
  const most = items.map((it) => big(it.error)).sort((a, b) => b - a).slice(0, k).reduce((a, b) => a + b, 0);
  return { share: total ? caught / total : NaN, big: total, best: total ? most / total : NaN };
}

/** The row label: the preset, or `default:<profile>` for a profile given with --profile. */
function jobLabel(spec: Pick<JobSpec, 'preset' | 'profile'>): string {
  return spec.profile ? `${spec.preset}:${spec.profile.name}` : spec.preset;
}

// ---------------------------------------------------------------- child: one (dataset, preset)
async function runJob(spec: JobSpec): Promise<JobResult> {
  const started = Date.now();
  const { initBackend } = await import('../src/engine/backend/init');
  const tf = await import('../src/engine/backend/tf');
  const { CancelSource } = await import('../src/engine/env');
  const { loadSamples } = await import('../src/engine/train/samples');
  const { runTrainJob } = await import('../src/engine/train/run');
  const { openModel } = await import('../src/engine/open-model');
  const { predictEach } = await import('../src/engine/predict-each');
  const { roundTestSets } = await import('../src/engine/rounds');
  const log = (m: string): void => {
    process.stderr.write(`[${spec.dataset}/${jobLabel(spec)}] ${m}\n`);
  };
  const report = await initBackend(spec.backend, () => undefined);
  log(`backend ${report.name} (${report.reason})`);
  const cancel = new CancelSource();
  process.on('SIGINT', () => cancel.cancel());
  let lastProgress = 0;
  const env = {
    tf,
    backend: report.name,
    cancel,
    log: (m: string) => log(m),
    progress: (p: import('../src/shared/protocol/engine').EngineProgress) => {
      const now = Date.now();
      if (now - lastProgress < 15000) return;
      lastProgress = now;
      if (p.kind === 'train' && p.phase) log(`stage ${p.phase.index}/${p.phase.count} ${p.phase.name} ${p.phase.done}/${p.phase.total}${p.metric ? ` ${p.metric.name} ${p.metric.value.toFixed(2)}` : ''}`);
      else if (p.kind === 'train') log(`epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}${p.valErrorPx !== undefined ? ` val ${p.valErrorPx.toFixed(1)} px` : ''}`);
      else log(`${p.stage} ${p.done}/${p.total}`);
    },
  };
  const ds = DATASETS[spec.dataset];
  const dir = path.join(spec.dataRoot, ds.folder);
  const source = { data: path.join(dir, 'landmarks.tps'), images: path.join(dir, 'images') };
  const set = await loadSamples([source]);
  if (set.samples.length < 10) throw new Error(`${source.data}: only ${set.samples.length} usable images`);
  const samples = [...set.samples].sort((a, b) => a.name.localeCompare(b.name));
  const tests: (typeof samples)[] =
    spec.dataset === 'mollusk'
      ? [heldOutSplit(samples, (s) => path.basename(s.imagePath)).test]
      : roundTestSets(samples, ds.roundSize ?? 12, spec.seed);
  const L = set.landmarkCount;
  const perLandmark: number[][] = Array.from({ length: L }, () => []);
  const all: number[] = [];
  const items: { error: number[]; doubt: number; spread?: number[] }[] = [];
  let trainSeconds = 0;
  let predictSeconds = 0;
  let predicted = 0;
  let trainImages = 0;
  let widthSum = 0;
  let cancelled = false;
  const stagePhotos: { stages: string[]; errors: number[] }[] = [];
  for (const [r, test] of tests.entries()) {
    const out = path.join(spec.work, `${spec.dataset}-${jobLabel(spec).replace(/[^\w.-]+/g, '_')}-${r + 1}`);
    fs.rmSync(out, { recursive: true, force: true });
    const t0 = Date.now();
    const res = await runTrainJob(
      {
        sources: [source],
        out,
        preset: spec.preset,
        exclude: test.map((s) => s.name),
        seed: spec.seed + r,
        keepCheckpoint: false,
        ...(spec.epochs ? { epochs: spec.epochs } : {}),
        ...(spec.profile ? { profile: spec.profile } : {}),
        // a pipeline preset only reports its validation, never selects by it, so keep it small
        ...(spec.preset !== 'paper' ? { validationSplit: 0.05 } : {}),
      },
      env,
    );
    trainSeconds += (Date.now() - t0) / 1000;
    trainImages = samples.length - test.length;
    if (res.cancelled) {
      cancelled = true;
      if (res.bestEpoch === 0) break;
    }
    const { predictor } = await openModel(tf, report.name, out, log, L);
    try {
      const t1 = Date.now();
      // as the product predicts: as many in flight as the predictor allows (one decodes while another computes)
      const results = (await predictEach(predictor, test.map((s) => s.imagePath), { cancelled: () => cancel.cancelled })).map((o) => {
        if (o?.error) throw o.error;
        return o?.prediction;
      });
      predictSeconds += (Date.now() - t1) / 1000;
      for (const [i, s] of test.entries()) {
        const p = results[i];
        if (!p) {
          cancelled = true;
          break;
        }
        widthSum += p.width;
        // per landmark, NaN where the photo lacks it (hidden keypoints), so errors stay beside their doubts
        const err = s.landmarks.map((m, j) => (m ? Math.hypot(p.landmarks[j][0] - m[0], p.landmarks[j][1] - m[1]) : NaN));
        err.forEach((e, j) => {
          if (Number.isNaN(e)) return;
          perLandmark[j].push(e);
          all.push(e);
        });
        items.push({ error: err, doubt: p.confidence !== undefined ? 1 - p.confidence : NaN, spread: p.spreadPx });
        predicted++;
      }
      // after the timed run: each stage's answer on the same photos (a prefix of the stages is what
      // a profile of only those stages gives, since each stage learned from the ones before)
      if (predictor.predictEachStage && !cancelled) {
        for (const s of test) {
          const row: { stages: string[]; errors: number[] } = { stages: [], errors: [] };
          for (const a of await predictor.predictEachStage(s.imagePath)) {
            let se = 0;
            let n = 0;
            s.landmarks.forEach((m, j) => {
              if (!m) return;
              se += Math.hypot(a.landmarks[j][0] - m[0], a.landmarks[j][1] - m[1]);
              n++;
            });
            row.stages.push(a.stage);
            row.errors.push(n ? se / n : NaN);
          }
          stagePhotos.push(row);
        }
      }
    } finally {
      predictor.dispose();
    }
    log(`round ${r + 1}/${tests.length}: trained in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${predicted} predicted so far`);
    if (cancelled) break;
  }
  const sorted = [...all].sort((a, b) => a - b);
  const mean = all.reduce((a, b) => a + b, 0) / Math.max(1, all.length);
  const p90 = percentileSorted(sorted, 90);
  let outliers: JobResult['outliers'];
  if (items.length && items.every((it) => !Number.isNaN(it.doubt))) {
    const img = outlierShare(items.map((it) => ({ error: it.error.filter((e) => !Number.isNaN(e)), doubt: it.doubt })), p90);
    const lm = items.flatMap((it) => (it.spread ? it.error.flatMap((e, j) => (Number.isNaN(e) ? [] : [{ error: [e], doubt: it.spread![j] }])) : []));
    outliers = { imageTop10Share: img.share, landmarkTop10Share: lm.length ? outlierShare(lm, p90).share : NaN, bigErrors: img.big, imageTop10Best: img.best };
  }
  const lmDoubt = items.flatMap((it) => (it.spread && it.spread.length === it.error.length ? it.error.flatMap((e, j) => (Number.isNaN(e) ? [] : [{ e, d: it.spread![j] }])) : []));
  const doubt = lmDoubt.length ? doubtFigures(lmDoubt.map((x) => x.d), lmDoubt.map((x) => x.e), p90) : undefined;
  return {
    dataset: spec.dataset,
    preset: jobLabel(spec),
    backend: report.name,
    protocol: DATASETS[spec.dataset].protocol,
    trainImages,
    testImages: predicted,
    landmarks: L,
    perLandmarkMean: perLandmark.map((v) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)),
    mean,
    median: percentileSorted(sorted, 50),
    p90,
    meanPctWidth: predicted ? (100 * mean) / (widthSum / predicted) : NaN,
    trainSeconds: spec.dataset === 'mollusk' ? trainSeconds : trainSeconds / Math.max(1, tests.length),
    predictImagesPerSecond: predictSeconds > 0 ? predicted / predictSeconds : NaN,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    ...(spec.epochs ? { epochs: spec.epochs } : {}),
    outliers,
    ...(doubt ? { doubt } : {}),
    ...(stagePhotos.length ? { stagePhotos } : {}),
    cancelled,
    seconds: (Date.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------- parent: table
const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '-');
const pct = (v: number | undefined): string => (v !== undefined && Number.isFinite(v) ? `${Math.round(100 * v)}%` : '-');

export function formatTable(results: JobResult[]): string {
  const lines: string[] = [];
  lines.push(
    '| dataset | preset | protocol | mean px | median px | p90 px | mean % width | train s | predict img/s | peak MiB | backend | top-10% doubt holds (images / landmarks) of big errors |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    lines.push(
      `| ${r.dataset} | ${r.preset}${r.epochs ? ` (${r.epochs} ep)` : ''}${r.cancelled ? ' (interrupted)' : ''} | ${r.protocol}, ${r.trainImages} train / ${r.testImages} test | ${f1(r.mean)} | ${f1(r.median)} | ${f1(r.p90)} | ${r.meanPctWidth.toFixed(2)} | ${f1(r.trainSeconds)}${r.dataset !== 'mollusk' ? ' /round' : ''} | ${f1(r.predictImagesPerSecond)} | ${Math.round(r.peakRssMiB)} | ${r.backend} | ${r.outliers ? `${pct(r.outliers.imageTop10Share)} / ${pct(r.outliers.landmarkTop10Share)} of ${r.outliers.bigErrors}${r.outliers.imageTop10Best !== undefined ? ` (images at best ${pct(r.outliers.imageTop10Best)})` : ''}` : '-'} |`,
    );
  }
  lines.push('');
  lines.push('Per-landmark mean error (original pixels):');
  for (const r of results) lines.push(`  ${r.dataset}/${r.preset}: ${r.perLandmarkMean.map(f1).join(' ')}`);
  const staged = results.filter((r) => r.stagePhotos?.length);
  if (staged.length) {
    lines.push('');
    lines.push('Per stage (mean px per photo after each stage, over the photos it ran on; gain = the stage before it on the same photo minus it, paired bootstrap 95% interval over photos):');
    lines.push('| dataset | preset | stage | photos | mean px | gain px (95% CI) | verdict |');
    lines.push('|---|---|---|---|---|---|---|');
    const helps = new Map<string, string[]>();
    const stageNames = new Set<string>();
    for (const r of staged) {
      const rows = r.stagePhotos!;
      const order = [...new Set(rows.flatMap((x) => x.stages))];
      for (const [k, name] of order.entries()) {
        const after: number[] = [];
        const gains: number[] = [];
        for (const x of rows) {
          const q = x.stages.indexOf(name);
          if (q < 0 || !Number.isFinite(x.errors[q])) continue;
          after.push(x.errors[q]);
          if (q > 0 && Number.isFinite(x.errors[q - 1])) gains.push(x.errors[q - 1] - x.errors[q]);
        }
        const mean = after.reduce((a, b) => a + b, 0) / Math.max(1, after.length);
        if (k === 0) {
          lines.push(`| ${r.dataset} | ${r.preset} | ${name} | ${after.length} | ${f2(mean)} | (start) | |`);
          continue;
        }
        stageNames.add(name);
        const gain = bootstrapMean(gains);
        const v = verdict(gain);
        if (v === 'helps') helps.set(name, [...(helps.get(name) ?? []), r.dataset]);
        lines.push(`| ${r.dataset} | ${r.preset} | ${name} | ${after.length} | ${f2(mean)} | ${f2(gain.mean)} (${f2(gain.lo)} to ${f2(gain.hi)}) | ${v} |`);
      }
    }
    lines.push('');
    lines.push(`Keep what wins (a stage stays where it helps on at least two datasets): ${[...stageNames].map((n) => `${n} helps on ${helps.get(n)?.length ?? 0} (${(helps.get(n) ?? []).join(', ') || 'none'})`).join('; ')}`);
  }
  const withDoubt = results.filter((r) => r.doubt);
  if (withDoubt.length) {
    lines.push('');
    lines.push('Doubt px against the error, per landmark (targets: Spearman >= 0.45; the 10% most doubtful hold >= 40% of the errors > p90; 85-95% within their bound):');
    for (const r of withDoubt) {
      const d = r.doubt!;
      lines.push(`  ${r.dataset}/${r.preset}: Spearman ${Number.isFinite(d.spearman) ? d.spearman.toFixed(2) : '-'}, top-10% hold ${pct(d.top10Share)}, within bound ${Number.isFinite(d.coverage) ? `${(100 * d.coverage).toFixed(1)}%` : '-'}`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', multiple: true },
      preset: { type: 'string', multiple: true },
      backend: { type: 'string' },
      'paper-epochs': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      job: { type: 'string' },
      profile: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.job) {
    const spec = JSON.parse(values.job) as JobSpec;
    const result = await runJob(spec);
    fs.writeFileSync(path.join(spec.work, `${spec.dataset}-${jobLabel(spec).replace(/[^\w.-]+/g, '_')}.json`), JSON.stringify(result, null, 2));
    return 0;
  }
  if (values.help) {
    console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
    return 0;
  }
  const datasets = (values.dataset ?? ['mollusk', 'wings', 'mouse-reaching']) as DatasetName[];
  // with --profile and no --preset only the profiles run (add --preset default for today's row beside them)
  const presets = (values.preset ?? (values.profile?.length ? [] : [...PRESET_NAMES])) as PresetName[];
  // each --profile FILE adds a `default:<name>` row beside the presets: a candidate profile against today's, in one run
  const profiles = (values.profile ?? []).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as ProfileSpec);
  const jobs: Pick<JobSpec, 'preset' | 'profile'>[] = [...presets.map((preset) => ({ preset })), ...profiles.map((profile) => ({ preset: 'default' as const, profile }))];
  for (const d of datasets) if (!(d in DATASETS)) throw new Error(`--dataset ${d}: expected one of ${Object.keys(DATASETS).join(', ')}`);
  for (const p of presets) if (!isPresetName(p)) throw new Error(`--preset ${p}: expected ${PRESET_NAMES.join(', ')}`);
  const dataRoot = path.resolve(values.data ?? path.join(__dirname, '..', '..', 'shared', 'data'));
  if (!fs.existsSync(dataRoot)) {
    console.error(`bench: data not found at ${dataRoot} (pass --data DIR holding mollusk/ and drosophila-wings/)`);
    return 2;
  }
  const outDir = path.resolve(values.out ?? path.join(__dirname, '..', 'bench-results'));
  const work = path.join(outDir, 'work');
  fs.mkdirSync(work, { recursive: true });
  const backend = (values.backend ?? 'wasm') as BackendChoice;
  const seed = values.seed ? Number(values.seed) : 1;
  const started = new Date();
  const results: JobResult[] = [];
  let interrupted = false;
  let child: ReturnType<typeof fork> | undefined;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\nbench: interrupted: stopping the running job; the table shows what finished (Ctrl-C again to quit at once)');
    child?.kill('SIGINT');
  });
  console.error(`bench: ${datasets.join(', ')} x ${jobs.map(jobLabel).join(', ')} on ${backend}; ${os.cpus().length} cores, load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  for (const dataset of datasets) {
    if (!fs.existsSync(path.join(dataRoot, DATASETS[dataset].folder, 'landmarks.tps'))) {
      console.error(`bench: ${dataset}: skipped, no ${path.join(dataRoot, DATASETS[dataset].folder, 'landmarks.tps')}`);
      continue;
    }
    for (const job of jobs) {
      if (interrupted) break;
      const preset = job.preset;
      const label = jobLabel(job);
      const epochs = preset === 'paper' ? (values['paper-epochs'] ? Number(values['paper-epochs']) : dataset === 'mollusk' ? 10 : 20) : undefined;
      const spec: JobSpec = { dataset, preset, ...(job.profile ? { profile: job.profile } : {}), backend, seed, epochs, dataRoot, work };
      const file = path.join(work, `${dataset}-${label.replace(/[^\w.-]+/g, '_')}.json`);
      fs.rmSync(file, { force: true });
      const code = await new Promise<number>((resolve) => {
        child = fork(__filename, ['--job', JSON.stringify(spec)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
        child.on('exit', (c) => resolve(c ?? 1));
      });
      child = undefined;
      if (fs.existsSync(file)) {
        const r = JSON.parse(fs.readFileSync(file, 'utf8')) as JobResult;
        results.push(r);
        console.error(`bench: ${dataset}/${label}: mean ${f1(r.mean)} px in ${f1(r.seconds)} s${r.cancelled ? ' (interrupted)' : ''}`);
      } else {
        console.error(`bench: ${dataset}/${label} failed (exit ${code})`);
      }
    }
  }
  const finished = new Date();
  const header =
    `Benchmark ${started.toISOString()} .. ${finished.toISOString()} (${((finished.getTime() - started.getTime()) / 60000).toFixed(1)} min), ` +
    `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load at end ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}, node ${process.version}` +
    (interrupted ? '\nINTERRUPTED: only the jobs above finished' : '');
  console.log(header);
  console.log(formatTable(results));
  const json = { started: started.toISOString(), finished: finished.toISOString(), interrupted, cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version, results };
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(outDir, `bench-${stamp}.json`), JSON.stringify(json, null, 2));
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(json, null, 2));
  console.log(`\nJSON: ${path.join(outDir, `bench-${stamp}.json`)}`);
  return interrupted ? 130 : 0;
}

if (require.main === module) {
  main().then(
    (c) => process.exit(c),
    (e) => {
      console.error(`bench: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
