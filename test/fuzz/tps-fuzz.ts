/**
 * A fuzz harness for everything that reads a TPS file: generated and mutated files (from the
 * real corpus in ../shared/data, or a small built-in set without it) go through the parser, the
 * editor's text model (open, edit, undo), the writer, `tps check`, evaluate and the training
 * data loader. Properties checked on every input:
 *   - no exception escapes (an Error that names the problem is fine for the I/O steps that are
 *     documented to throw, e.g. a data set without photos; a TypeError or RangeError is a bug);
 *   - memory follows the file, never a number written in it: the landmark slots and curve points
 *     parsed stay within a small multiple of the file's lines;
 *   - opening for editing and undoing every edit gives back the very bytes;
 *   - specimens the mutation did not touch parse exactly as before.
 * `npm test` runs a short seeded round (test/engine/tps-fuzz.test.ts); `npm run fuzz` a long one.
 * Inputs that break a property are written to test/fuzz/crashes/ and replayed by the unit tier
 * (test/unit/tps-fuzz-replay.test.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/shared/augment/rng';
import { parseTps } from '../../src/shared/tps/parse';
import { writeTps } from '../../src/shared/tps/write';
import type { TpsDocument } from '../../src/shared/tps/model';
import { TpsTextModel } from '../../src/shared/editing/text-model';
import { EditError, type LandmarkEdit } from '../../src/shared/editing/edits';
import { checkTpsFile } from '../../src/cli/tps';
import { evaluateFiles } from '../../src/engine/evaluate';
import { loadSamples } from '../../src/engine/train/samples';

export interface FuzzFailure {
  property: string;
  error: string;
  input: string;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Seed texts (real TPS files); mutated and recombined. */
  corpus: string[];
  /** Run the file-based steps (tps check, evaluate, training data) on every n-th input; 0 = never. */
  ioEvery?: number;
  /** Stop after this many failures (default 5). */
  maxFailures?: number;
}

/** Tokens a hostile or broken file holds where numbers and counts belong. */
const NASTY = [
  'abc', '952 abc', '1e309', '-1e309', 'NaN', 'nan NaN', 'Infinity', '1e300 1e300', '-0', '0x1F', '1,5 2,5', '', ' ', '\t',
  'LM=999999999', 'LM=-3', 'LM=1e9', 'LM=', 'CURVES=88888888', 'POINTS=99999999', 'OUTLINES=77777777', 'POINTS=-1',
  'IMAGE=../../../../etc/passwd', 'IMAGE=', 'ID=', 'SCALE=0', 'SCALE=-1', 'SCALE=1e309', 'COMMENT=confidence 2; doubt px 1e309 NaN',
  '"IMAGE=a.jpg"', '#', '\u0000\u0001\u0002', '\ufeff', '\u00e9\u00e8 \u4e2d\u6587', '\r', '\r\r\n', '\\', "'", '1 2 3 4 5 6 7 8 9 10',
];

const SMALL_CORPUS = [
  'LM=3\n1 2\n3 4\n5 6\nIMAGE=a.jpg\nID=1\nLM=3\n10 20\n30 40\n-1 -1\nIMAGE=b.jpg\nID=2\n',
  'LM=2\r\n1.5 2.5\r\n3.00000 4.00000\r\nCURVES=1\r\nPOINTS=3\r\n1 1\r\n2 2\r\n3 3\r\nIMAGE=c.png\r\nSCALE=0.01\r\n',
  '# header\nLM=1\n290. 108.\nIMAGE=Prono_001LM=1\n5 6\nIMAGE=Prono_002',
];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng.next() * list.length)];
}

/** The line indices of each specimen (its LM= line up to the line before the next one). */
function specimenRanges(lines: string[]): [number, number][] {
  const starts = lines.flatMap((l, i) => (/^\s*"?LM3?\s*=/i.test(l) ? [i] : []));
  return starts.map((s, k) => [s, (starts[k + 1] ?? lines.length) - 1]);
}

export interface Mutation {
  text: string;
  /** The specimen whose lines alone were changed (others must parse as before), when known. */
  touched?: number;
}

/** One random mutation of `text`: inside one specimen's lines when `local`, anywhere otherwise. */
export function mutate(text: string, rng: Rng, local: boolean): Mutation {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r\n|\n/);
  const ranges = specimenRanges(lines);
  if (local && ranges.length > 1) {
    const k = Math.floor(rng.next() * ranges.length);
    const [a, b] = ranges[k];
    if (b > a) {
      // Not the LM= line itself, and nothing that starts a specimen: the others must not move.
      const i = a + 1 + Math.floor(rng.next() * (b - a));
      const nasty = NASTY.filter((t) => !/LM/i.test(t) && !/[\r\n]/.test(t));
      const kind = Math.floor(rng.next() * 4);
      if (kind === 0) lines[i] = pick(rng, nasty);
      else if (kind === 1) lines[i] = lines[i].replace(/[-\d.]+/, pick(rng, nasty));
      else if (kind === 2) lines.splice(i, 0, pick(rng, nasty));
      else lines[i] = `${lines[i]} ${pick(rng, nasty)}`;
      return { text: lines.join(eol), touched: k };
    }
  }
  const kind = Math.floor(rng.next() * 9);
  const at = Math.floor(rng.next() * (text.length + 1));
  switch (kind) {
    case 0:
      return { text: text.slice(0, at) };
    case 1:
      return { text: text.slice(0, at) + pick(rng, NASTY) + text.slice(at) };
    case 2: {
      const i = Math.floor(rng.next() * Math.max(1, lines.length));
      lines.splice(i, 1);
      return { text: lines.join(eol) };
    }
    case 3: {
      const i = Math.floor(rng.next() * Math.max(1, lines.length));
      lines.splice(i, 0, ...Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => lines[i] ?? ''));
      return { text: lines.join(eol) };
    }
    case 4:
      return { text: text.replace(/\r?\n/g, pick(rng, ['\r\n', '\r', '\n', '\r\r\n', ''])) };
    case 5:
      return { text: Array.from({ length: 1 + Math.floor(rng.next() * 200) }, () => String.fromCharCode(Math.floor(rng.next() * 0x3000))).join('') };
    case 6:
      return { text: text.replace(/LM3?\s*=\s*\d+/i, pick(rng, ['LM=999999999', 'LM=0', 'LM=abc', 'LM3=2', 'LM=1e9'])) };
    case 7:
      return { text: lines.map((l) => (rng.next() < 0.1 ? pick(rng, NASTY) : l)).join(eol) };
    default:
      return { text: text + eol + text.slice(0, at) };
  }
}

/** What a parse allocates, against what the file holds. */
function allocationWithinBounds(doc: TpsDocument, text: string): string | undefined {
  const lines = text.split(/\r\n|\r|\n/).length;
  let slots = 0;
  for (const s of doc.specimens) {
    slots += s.landmarks.length;
    for (const c of s.curves) for (const pts of c.curves) slots += pts.length;
  }
  // Each slot comes from a line, or pads a short specimen by at most its rows or 16.
  const bound = 2 * lines + 16 * doc.specimens.length + 16;
  return slots > bound ? `${slots} landmark slots and curve points for a file of ${lines} lines (bound ${bound})` : undefined;
}

function sameSpecimens(a: TpsDocument, b: TpsDocument, skip: number): string | undefined {
  if (a.specimens.length !== b.specimens.length) return `${a.specimens.length} specimens became ${b.specimens.length}`;
  for (let i = 0; i < a.specimens.length; i++) {
    if (i === skip) continue;
    const x = a.specimens[i];
    const y = b.specimens[i];
    const pts = (s: typeof x) => JSON.stringify([s.landmarks, s.fields.map((f) => [f.key, f.value]), s.curves]);
    if (pts(x) !== pts(y)) return `specimen ${i + 1} changed although only specimen ${skip + 1} was mutated`;
  }
  return undefined;
}

/** Opening for editing, a few random edits, undo all: the original bytes; errors only EditError. */
function editRoundTrip(text: string, rng: Rng): string | undefined {
  const model = new TpsTextModel(text);
  if (model.text !== text) return 'opening for editing changed the text';
  const done: LandmarkEdit[] = [];
  for (let n = 0; n < 4; n++) {
    const doc = model.doc;
    if (doc.specimens.length === 0) break;
    const specimen = Math.floor(rng.next() * doc.specimens.length);
    const count = doc.specimens[specimen].landmarks.length;
    const index = Math.floor(rng.next() * Math.max(1, count));
    const kind = pick(rng, ['move', 'setMissing', 'add', 'delete'] as const);
    const to = { x: Math.round(rng.next() * 2000), y: Math.round(rng.next() * 2000) };
    const edit: LandmarkEdit =
      kind === 'move'
        ? { kind, specimen, index, from: null, to }
        : kind === 'add'
          ? { kind, specimen, index: count, point: to }
          : { kind, specimen, index, previous: null };
    try {
      const written = model.apply(edit);
      if (written) done.push(written);
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
    }
  }
  for (const e of done.reverse()) model.undo(e);
  return model.text === text ? undefined : `undoing ${done.length} edit(s) did not give back the original bytes`;
}

/** File steps: tps check, evaluate against the seed, training data; only named Errors may come out. */
async function fileSteps(text: string, seed: string, dir: string): Promise<string | undefined> {
  const mutated = path.join(dir, 'mutated.tps');
  const original = path.join(dir, 'original.tps');
  fs.writeFileSync(mutated, text);
  fs.writeFileSync(original, seed);
  const check = await checkTpsFile(mutated);
  if (!Array.isArray(check.errors)) return 'tps check gave no error list';
  try {
    await evaluateFiles({ manual: original, predicted: mutated });
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
  }
  try {
    await loadSamples([{ data: mutated }]);
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
  }
  return undefined;
}

/**
 * Every property on one input. `seedText` is what it was mutated from (`m.touched` names the one
 * specimen a local mutation changed); `dir`, when given, is where the file steps may write.
 */
export async function checkInput(m: Mutation, seedText: string, local: boolean, rng: Rng, dir?: string): Promise<FuzzFailure[]> {
  const failures: FuzzFailure[] = [];
  const fail = (property: string, error: unknown) =>
    failures.push({ property, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), input: m.text });
  let doc: TpsDocument;
  try {
    doc = parseTps(m.text, 'fuzz.tps');
  } catch (e) {
    fail('parse throws', e);
    return failures;
  }
  const alloc = allocationWithinBounds(doc, m.text);
  if (alloc) fail('allocation follows the file', alloc);
  if (local && m.touched !== undefined) {
    const diff = sameSpecimens(parseTps(seedText), doc, m.touched);
    if (diff) fail('untouched specimens survive', diff);
  }
  try {
    writeTps(doc);
  } catch (e) {
    fail('write throws', e);
  }
  try {
    const r = editRoundTrip(m.text, rng);
    if (r) fail('edit and undo give back the bytes', r);
  } catch (e) {
    fail('editing throws', e);
  }
  if (dir) {
    try {
      const r = await fileSteps(m.text, seedText, dir);
      if (r) fail('file steps', r);
    } catch (e) {
      fail('file steps throw', e);
    }
  }
  return failures;
}

/** Runs every property on `text` as it is (a kept crash, a hand-made hostile file). */
export async function replayInput(text: string): Promise<FuzzFailure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-fuzz-'));
  try {
    return await checkInput({ text }, text, false, new Rng(1), dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function fuzzTps(o: FuzzOptions): Promise<{ runs: number; failures: FuzzFailure[] }> {
  const rng = new Rng(o.seed);
  const corpus = o.corpus.length ? o.corpus : SMALL_CORPUS;
  const failures: FuzzFailure[] = [];
  const maxFailures = o.maxFailures ?? 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-fuzz-'));
  let runs = 0;
  try {
    for (; runs < o.runs && failures.length < maxFailures; runs++) {
      const seedText = pick(rng, corpus);
      const local = rng.next() < 0.5;
      let m: Mutation = { text: seedText };
      const depth = 1 + Math.floor(rng.next() * 3);
      for (let d = 0; d < depth; d++) {
        const next = mutate(m.text, rng, local && d === 0);
        m = d === 0 ? next : { text: next.text };
      }
      failures.push(...(await checkInput(m, seedText, local && depth === 1, rng, o.ioEvery !== undefined && o.ioEvery > 0 && runs % o.ioEvery === 0 ? dir : undefined)));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { runs, failures };
}

/** The real TPS files under `root` (the corpus, wings, mollusks, a few beetle parts), as text. */
export function realCorpus(root: string): string[] {
  const files = [
    'drosophila-wings/landmarks.tps',
    'mollusk/landmarks.tps',
    'beetles/pronotum/landmarks.tps',
    'beetles/mandible-right/landmarks.tps',
  ].map((f) => path.join(root, f));
  const corpusDir = path.join(root, 'tps-corpus');
  if (fs.existsSync(corpusDir)) for (const f of fs.readdirSync(corpusDir)) if (/\.tps$/i.test(f)) files.push(path.join(corpusDir, f));
  return files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'latin1'));
}

/** Where inputs that broke a property are kept (replayed by the unit test). */
export const CRASH_DIR = path.join(__dirname, 'crashes');

/** Writes a failing input to CRASH_DIR under a name from its content; returns the path. */
export function keepCrash(f: FuzzFailure): string {
  fs.mkdirSync(CRASH_DIR, { recursive: true });
  let h = 2166136261;
  for (let i = 0; i < f.input.length; i++) h = Math.imul(h ^ f.input.charCodeAt(i), 16777619) >>> 0;
  const file = path.join(CRASH_DIR, `crash-${h.toString(16).padStart(8, '0')}.tps`);
  fs.writeFileSync(file, f.input);
  return file;
}
