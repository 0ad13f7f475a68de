/**
 * Property-based: saving edits rewrites only what was edited, on generated TPS files (valid and
 * broken: LF/CRLF/CR and mixed, BOM, final newline or not, trailing blanks and tabs, integer,
 * `290.`, fixed-decimal and free number styles, garbage rows, missing codes, comments, curves,
 * fields, short specimens, doubt lists) and on real files from ../shared/data mutated the same way.
 *
 *   no edit                 -> the same bytes;
 *   one move / setMissing   -> one line differs (two with a COMMENT doubt list), and it reads back
 *                              as the point written;
 *   any edit                -> the file reads back as the edit says: every other landmark keeps
 *                              its number and value, unreadable slots stay unreadable;
 *   undo of any sequence    -> the original bytes; redo -> the edited bytes again.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import fc from 'fast-check';
import { dataPath, hasData } from '../helpers/data';
import { TpsTextModel } from '../../src/shared/editing/text-model';
import { applyEdit, type LandmarkEdit } from '../../src/shared/editing/edits';
import { cloneSpecimen, type TpsDocument, type TpsPoint, type TpsSpecimen } from '../../src/shared/tps/model';
import { splitSource } from '../../src/shared/tps/source';

// ---------------------------------------------------------------- generated files

type Style = 'int' | 'dot' | 'fixed2' | 'fixed5' | 'free' | 'unit';

interface GenRow {
  kind: 'point' | 'missing' | 'garbage';
  x: number;
  y: number;
  garbage: string;
  sep: string;
  trail: string;
}

interface GenSpecimen {
  lm: string;
  rows: GenRow[];
  /** LM= says this many more than the rows (a short specimen). */
  short: number;
  comment: boolean;
  curves: boolean;
  doubt: boolean;
  extra: boolean;
  image: boolean;
}

interface GenFile {
  style: Style;
  bom: boolean;
  eol: string;
  mixed: boolean;
  eolPicks: number[];
  finalNewline: boolean;
  header: boolean;
  blankBetween: boolean;
  specimens: GenSpecimen[];
}

const GARBAGE = ['952 abc', 'abc', '1e309 5', '7', '12,5 14,2', '5 6 x', 'Infinity 3'];
const EOLS = ['\n', '\r\n', '\r', '\r\r\n'];

const rowArb = fc.record({
  kind: fc.constantFrom<GenRow['kind']>('point', 'point', 'point', 'point', 'point', 'point', 'missing', 'garbage'),
  x: fc.integer({ min: 1100, max: 300000 }),
  y: fc.integer({ min: 1100, max: 300000 }),
  garbage: fc.constantFrom(...GARBAGE),
  sep: fc.constantFrom(' ', ' ', ' ', '\t', '  '),
  trail: fc.constantFrom('', '', '', ' ', '\t'),
});

const specimenArb = fc.record({
  lm: fc.constantFrom('LM=', 'LM=', 'LM = ', 'lm='),
  rows: fc.array(rowArb, { minLength: 0, maxLength: 7 }),
  short: fc.constantFrom(0, 0, 0, 0, 1, 2),
  comment: fc.boolean(),
  curves: fc.constantFrom(false, false, false, true),
  doubt: fc.constantFrom(false, false, true),
  extra: fc.constantFrom(false, false, true),
  image: fc.boolean(),
});

const fileArb: fc.Arbitrary<GenFile> = fc.record({
  style: fc.constantFrom<Style>('int', 'dot', 'fixed2', 'fixed5', 'free', 'unit'),
  bom: fc.constantFrom(false, false, false, true),
  eol: fc.constantFrom(...EOLS),
  mixed: fc.constantFrom(false, false, true),
  eolPicks: fc.array(fc.nat(3), { minLength: 1, maxLength: 8 }),
  finalNewline: fc.boolean(),
  header: fc.boolean(),
  blankBetween: fc.boolean(),
  specimens: fc.array(specimenArb, { minLength: 1, maxLength: 4 }),
});

/** A coordinate (hundredths of a pixel, or of a unit-scale unit) in the file's style. */
function num(v: number, style: Style): string {
  switch (style) {
    case 'int':
      return String(Math.round(v / 100));
    case 'dot':
      return `${Math.round(v / 100)}.`;
    case 'fixed2':
      return (v / 100).toFixed(2);
    case 'fixed5':
      return (v / 100).toFixed(5);
    case 'free':
      return String(v / 100);
    case 'unit':
      return ((v - 150000) / 150000).toFixed(6);
  }
}

function missingCode(style: Style): string {
  if (style === 'unit') return 'NA NA';
  const m = style === 'dot' ? '-1.' : style === 'fixed2' ? '-1.00' : style === 'fixed5' ? '-1.00000' : '-1';
  return `${m} ${m}`;
}

function render(f: GenFile): string {
  const lines: string[] = [];
  if (f.header) lines.push('# generated', '');
  f.specimens.forEach((s, i) => {
    if (i > 0 && f.blankBetween) lines.push('');
    lines.push(`${s.lm}${s.rows.length + s.short}`);
    for (const r of s.rows) {
      if (r.kind === 'garbage') lines.push(r.garbage + r.trail);
      else if (r.kind === 'missing') lines.push(missingCode(f.style).replace(' ', r.sep) + r.trail);
      else lines.push(`${num(r.x, f.style)}${r.sep}${num(r.y, f.style)}${r.trail}`);
    }
    if (s.curves) lines.push('CURVES=1', 'POINTS=2', `${num(150000, f.style)} ${num(160000, f.style)}`, `${num(170000, f.style)} ${num(180000, f.style)}`);
    if (s.image) lines.push(`IMAGE=specimen ${i + 1}.jpg`);
    if (s.extra) lines.push('Total difference: 872.825');
    lines.push(`ID=${i + 1}`);
    if (s.doubt) lines.push(`COMMENT=predicted by m; confidence 0.5; doubt px ${[...s.rows.map((_, j) => j + 1.5), ...Array(s.short).fill(9)].join(' ')}`);
    else if (s.comment) lines.push('COMMENT=checked by hand ');
  });
  let text = f.bom ? '\uFEFF' : '';
  lines.forEach((l, i) => {
    const eol = f.mixed ? EOLS[f.eolPicks[i % f.eolPicks.length]] : f.eol;
    text += l + (i < lines.length - 1 || f.finalNewline ? eol : '');
  });
  return text;
}

// ---------------------------------------------------------------- real files, mutated

const REAL = [
  'drosophila-wings/landmarks.tps',
  'mollusk/landmarks.tps',
  'beetles/pronotum/landmarks.tps',
  'tps-corpus/ambystoma_compiled.TPS',
  'tps-corpus/geomorph_issue26_negative_missing_example.tps',
  'tps-corpus/beetle_maelab_Md_028_GHT_auto.TPS',
  'tps-corpus/traitfest_mlmorph_test_CRCRLF.tps',
  'tps-corpus/borealis_create_tps_with_comments.tps',
  'tps-corpus/beetle_cnn_p_001.TPS',
  'tps-corpus/ktch_sample_curve_data.tps',
  'tps-corpus/ktch_landmarks_triangle.tps',
  'tps-corpus/benkraj_mosquito_wings.tps',
  'tps-corpus/momocs_test_outlines.tps',
];

interface Mutation {
  /** Which landmark row to garble (index into all rows, modulo), if any. */
  garble: number | null;
  garbage: string;
  /** Lines that get a trailing space or another line ending. */
  trailing: number[];
  eolSwaps: number[];
  dropFinalNewline: boolean;
  bom: boolean;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  garble: fc.option(fc.nat(), { nil: null }),
  garbage: fc.constantFrom(...GARBAGE),
  trailing: fc.array(fc.nat(), { maxLength: 3 }),
  eolSwaps: fc.array(fc.nat(), { maxLength: 3 }),
  dropFinalNewline: fc.boolean(),
  bom: fc.constantFrom(false, false, true),
});

function mutate(text: string, m: Mutation): string {
  const src = splitSource(text);
  const lines = src.lines.map((l) => ({ ...l }));
  if (!lines.length) return text;
  const rowLines = new TpsTextModel(text).parsed.source.flatMap((s) => s.rows.filter((r) => r > 0));
  if (m.garble !== null && rowLines.length) lines[rowLines[m.garble % rowLines.length] - 1].text = m.garbage;
  for (const t of m.trailing) lines[t % lines.length].text += ' ';
  for (const e of m.eolSwaps) {
    const l = lines[e % lines.length];
    if (l.eol) l.eol = l.eol === '\n' ? '\r\n' : '\n';
  }
  if (m.dropFinalNewline) lines[lines.length - 1].eol = '';
  return (m.bom ? '\uFEFF' : src.bom) + lines.map((l) => l.text + l.eol).join('');
}

// ---------------------------------------------------------------- edits

interface EditSeed {
  kind: LandmarkEdit['kind'];
  specimen: number;
  index: number;
  /** In [0, 1): where in the specimen's extent the point goes. */
  fx: number;
  fy: number;
  missingPoint: boolean;
}

const seedArb: fc.Arbitrary<EditSeed> = fc.record({
  kind: fc.constantFrom<LandmarkEdit['kind']>('move', 'move', 'move', 'add', 'delete', 'setMissing'),
  specimen: fc.nat(),
  index: fc.nat(),
  fx: fc.integer({ min: 0, max: 9999 }).map((v) => v / 10000),
  fy: fc.integer({ min: 0, max: 9999 }).map((v) => v / 10000),
  missingPoint: fc.constantFrom(false, false, false, true),
});

/** The range the file's coordinates span, so moves stay at its scale (pixels or unit scale). */
function extent(doc: TpsDocument): { x0: number; y0: number; w: number; h: number } {
  const pts = doc.specimens.flatMap((s) => s.landmarks.filter((p): p is TpsPoint => p !== null));
  if (!pts.length) return { x0: 11, y0: 11, w: 2000, h: 2000 };
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  return { x0, y0, w: Math.max(...xs) - x0 || 1, h: Math.max(...ys) - y0 || 1 };
}

/** The edit a seed stands for in `doc` (as the webview would post it: 2 decimals), or undefined. */
function editFor(doc: TpsDocument, seed: EditSeed): LandmarkEdit | undefined {
  if (!doc.specimens.length) return undefined;
  const specimen = seed.specimen % doc.specimens.length;
  const n = doc.specimens[specimen].landmarks.length;
  const e = extent(doc);
  const unit = e.w < 30;
  const round = (v: number): number => (unit ? Math.round(v * 1e4) / 1e4 : Math.round(v * 100) / 100);
  const point = { x: round(e.x0 + seed.fx * e.w), y: round(e.y0 + seed.fy * e.h) };
  if (seed.kind === 'add') return { kind: 'add', specimen, index: seed.index % (n + 1), point: seed.missingPoint ? null : point };
  if (n === 0) return undefined;
  const index = seed.index % n;
  if (seed.kind === 'move') return { kind: 'move', specimen, index, from: null, to: point };
  if (seed.kind === 'delete') return { kind: 'delete', specimen, index, previous: null };
  return { kind: 'setMissing', specimen, index, previous: null };
}

/** What an edit must keep and change, compared on what the file reads back as. */
function content(s: TpsSpecimen): unknown {
  return {
    landmarks: s.landmarks,
    unreadable: s.unreadable ?? [],
    fields: s.fields.map((f) => [f.key.toUpperCase(), f.value]),
    curves: s.curves,
    extraLines: s.extraLines ?? [],
  };
}

function lineTexts(text: string): string[] {
  return splitSource(text).lines.map((l) => l.text + l.eol);
}

/**
 * How many lines `after` lost and gained against `before` (line breaks count): a longest common
 * subsequence over the window between the common first and last lines.
 */
function lineChanges(before: string[], after: string[]): { removed: number; inserted: number } {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  return { removed: a.length - lcs[0][0], inserted: b.length - lcs[0][0] };
}

/**
 * Applies one edit through the editor's text model and checks it against the meaning of the edit
 * (applyEdit on the model before). Returns the edit as written, or undefined when it changed
 * nothing.
 */
function checkedEdit(model: TpsTextModel, edit: LandmarkEdit): LandmarkEdit | undefined {
  const before = model.text;
  const beforeDoc = model.doc;
  const rows = model.parsed.source[edit.specimen].rows;
  const row = rows[edit.index] ?? 0;
  /** Rows the file has for the specimen (a short specimen has fewer than LM= says). */
  const inFile = rows.filter((r) => r > 0).length;
  const gluedLine = model.parsed.source[edit.specimen + 1]?.lmLine ?? 0;
  const expected = beforeDoc.specimens.map(cloneSpecimen);
  const written = model.apply(edit);
  if (!written) {
    assert.strictEqual(model.text, before, 'an edit that writes nothing leaves the text');
    return undefined;
  }
  applyEdit({ ...beforeDoc, specimens: expected }, written);
  const got = model.doc.specimens.map(content);
  const want = expected.map(content);
  // JSON first: deepStrictEqual on a 150-specimen file at every step would dominate the run
  if (JSON.stringify(got) !== JSON.stringify(want)) assert.deepStrictEqual(got, want, `the file reads back as the edit says: ${JSON.stringify(written)}`);
  if (written.kind === 'move') assert.deepStrictEqual(model.doc.specimens[written.specimen].landmarks[written.index], written.to);

  const a = lineTexts(before);
  const b = lineTexts(model.text);
  const glued = gluedLine > 0 && (gluedLine === row || gluedLine === rows[inFile - 1]);
  if ((written.kind === 'move' || written.kind === 'setMissing') && row > 0) {
    assert.strictEqual(b.length, a.length);
    const changed = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
    const comment = beforeDoc.specimens[written.specimen].fields.find((f) => f.key.toUpperCase() === 'COMMENT');
    const allowed = [row - 1, ...(written.comment && comment ? [comment.line - 1] : [])];
    assert.ok(changed.length >= 1 && changed.every((i) => allowed.includes(i)), `lines ${changed} changed, only ${allowed} may`);
  }
  if (written.kind === 'delete' && row > 0 && !glued) assert.strictEqual(b.length, a.length - 1, 'a delete removes one line');
  // An add inserts one line, where it does not first give a short specimen the rows it lacks.
  if (written.kind === 'add' && written.index <= inFile && !glued) assert.strictEqual(b.length, a.length + 1, 'an add inserts one line');
  // Every line the edit does not touch stays (its row, the LM= count, the COMMENT doubt list;
  // rows a short specimen lacks; a glued `...LM=8` line split in two).
  const c = written.comment ? 1 : 0;
  const lacking = Math.max(0, written.index - inFile);
  const g = glued ? 2 : 0;
  const bounds = {
    move: { removed: 1 + c + g, inserted: 1 + c + lacking + g },
    setMissing: { removed: 1 + c, inserted: 1 + c },
    add: { removed: 1 + c + g, inserted: 2 + c + lacking + g },
    delete: { removed: 2 + c, inserted: 1 + c + g },
  }[written.kind];
  const changes = lineChanges(a, b);
  assert.ok(changes.removed <= bounds.removed && changes.inserted <= bounds.inserted, `${written.kind}: ${JSON.stringify(changes)} lines, at most ${JSON.stringify(bounds)}`);
  // Lines outside the edited specimen are untouched: the text before its LM= line is the same.
  const lmLine = model.parsed.source[written.specimen].lmLine;
  assert.deepStrictEqual(b.slice(0, lmLine - 1), a.slice(0, lmLine - 1));
  return written;
}

/** The whole property on one text: opening, a sequence of edits, undo all, redo all. */
function roundTrip(text: string, seeds: EditSeed[]): void {
  const model = new TpsTextModel(text);
  assert.strictEqual(model.text, text, 'opening and writing back without an edit gives the same text');
  const done: LandmarkEdit[] = [];
  for (const seed of seeds) {
    const edit = editFor(model.doc, seed);
    if (!edit) continue;
    const written = checkedEdit(model, edit);
    if (written) done.push(written);
  }
  const edited = model.text;
  for (const e of [...done].reverse()) model.undo(e);
  assert.strictEqual(model.text, text, 'undo of every edit gives the original bytes');
  for (const e of done) model.redo(e);
  assert.strictEqual(model.text, edited, 'redo gives the edited bytes again');
}

describe('TPS round trip through edits (property-based)', function () {
  this.timeout(30_000);

  it('generated files, valid and broken: no edit, one edit, sequences, undo and redo', function () {
    fc.assert(
      fc.property(fileArb, fc.array(seedArb, { minLength: 0, maxLength: 6 }), (file, seeds) => {
        roundTrip(render(file), seeds);
      }),
      { numRuns: 300 },
    );
  });

  it('a garbled row in a generated file is its landmark\'s slot: numbering never shifts', function () {
    fc.assert(
      fc.property(fileArb, fc.nat(), fc.constantFrom(...GARBAGE), (file, pick, garbage) => {
        const s = file.specimens[pick % file.specimens.length];
        if (!s.rows.length) return;
        const clean = render(file);
        const k = pick % s.rows.length;
        s.rows[k] = { ...s.rows[k], kind: 'garbage', garbage };
        const model = new TpsTextModel(render(file));
        const ref = new TpsTextModel(clean).doc.specimens[pick % file.specimens.length];
        const got = model.doc.specimens[pick % file.specimens.length];
        assert.strictEqual(got.landmarks.length, ref.landmarks.length);
        assert.strictEqual(got.landmarks[k], null);
        assert.ok(got.unreadable?.includes(k));
        got.landmarks.forEach((p, j) => {
          if (j !== k) assert.deepStrictEqual(p, ref.landmarks[j], `landmark ${j + 1}`);
        });
        assert.ok(model.doc.diagnostics.some((d) => d.severity === 'error' && d.specimen === pick % file.specimens.length && d.line === model.parsed.source[pick % file.specimens.length].rows[k]));
      }),
      { numRuns: 200 },
    );
  });

  it('real files from ../shared/data, mutated (garbled rows, trailing blanks, mixed endings, BOM)', function () {
    const files = REAL.filter((rel) => hasData(rel));
    if (!files.length) {
      console.warn(`    skipped: real data not found at ${dataPath()} (tests read ../shared/data beside the checkout)`);
      this.skip();
    }
    const texts = files.map((rel) => fs.readFileSync(dataPath(rel), 'utf8'));
    fc.assert(
      fc.property(fc.nat(texts.length - 1), mutationArb, fc.array(seedArb, { minLength: 1, maxLength: 4 }), (i, m, seeds) => {
        roundTrip(mutate(texts[i], m), seeds);
      }),
      { numRuns: 60 },
    );
  });
});
