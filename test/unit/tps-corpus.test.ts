/**
 * The TPS core on every real TPS file in ../shared/data. Expected counts were written from
 * reading the files (grep of LM= lines, SOURCES.txt, the data README), not from the parser.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseTps } from '../../src/shared/tps/parse';
import { writeTps } from '../../src/shared/tps/write';
import { getField, type TpsDocument, type TpsSpecimen } from '../../src/shared/tps/model';
import { dataPath, requireData } from '../helpers/data';
import { TpsTextModel } from '../../src/shared/editing/text-model';
import { sameLine, splitSource } from '../../src/shared/tps/source';

function read(...parts: string[]): TpsDocument {
  const p = dataPath(...parts);
  return parseTps(fs.readFileSync(p, 'utf8'), p);
}

function counts(doc: TpsDocument): number[] {
  return [...new Set(doc.specimens.map((s) => s.landmarks.length))].sort((a, b) => a - b);
}

function errors(doc: TpsDocument): string[] {
  return doc.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);
}

/** What a round trip must keep: landmarks (null = missing), curves, fields (key, value), verbatim lines. */
function content(s: TpsSpecimen): unknown {
  return {
    landmarks: s.landmarks,
    curves: s.curves,
    fields: s.fields.map((f) => [f.key, f.value]),
    extraLines: s.extraLines ?? [],
  };
}

function allTpsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...allTpsFiles(p));
    else if (/\.tps$/i.test(e.name)) out.push(p);
  }
  return out;
}

describe('TPS core on the real data', function () {
  const datasets: Array<[string, number, number]> = [
    ['mollusk/landmarks.tps', 150, 15],
    ['drosophila-wings/landmarks.tps', 46, 12],
    ['beetles/pronotum/landmarks.tps', 4, 8],
    ['beetles/mandible-right/landmarks.tps', 16, 18],
  ];
  for (const [rel, n, k] of datasets) {
    it(`${rel}: ${n} specimens of ${k} landmarks, no errors`, function () {
      requireData(this, rel);
      const doc = read(rel);
      assert.strictEqual(doc.specimens.length, n);
      assert.deepStrictEqual(counts(doc), [k]);
      assert.deepStrictEqual(errors(doc), []);
      assert.ok(doc.specimens.every((s) => s.landmarks.every((p) => p !== null)));
      assert.ok(doc.specimens.every((s) => getField(s, 'IMAGE')));
    });
  }

  // file, specimens, distinct landmark counts (from SOURCES.txt and grep -c '^LM=')
  const corpus: Array<[string, number, number[]]> = [
    ['maxwagn_Test_tps_file.TPS', 101, [11]],
    ['orthetrum_forewing.tps', 120, [20]],
    ['orthetrum_forewing_01.tps', 120, [20]],
    ['ambystoma_compiled.TPS', 155, [8]],
    ['mlmorph_drosophila_wing_tps-example.tps', 58, [12]],
    ['baikal_mollusk_tps-example.tps', 186, [15]],
    ['beetle_cnn_p_001.TPS', 1, [8]],
    ['beetle_cnn_t_001.TPS', 1, [10]],
    ['beetle_cnn_e_001.TPS', 1, [11]],
    ['beetle_cnn_Md_001.TPS', 1, [18]],
    ['beetle_cnn_mg_001.TPS', 1, [16]],
    ['beetle_maelab_Md 036.TPS', 1, [18]],
    ['beetle_maelab_general_p_10.TPS', 1, [8]],
    ['beetle_maelab_Md_028_GHT_auto.TPS', 1, [18]],
    ['momocs_test_lm.tps', 2, [5]],
    ['momocs_test_outlines.tps', 2, [0]],
    ['ktch_sample_curve_data.tps', 1, [1]],
    ['ktch_landmarks_triangle.tps', 50, [3]],
    ['benkraj_mosquito_wings.tps', 200, [0, 14, 15]],
    ['qpal_geomorph_digitize2d_test.tps', 5, [3]],
    ['traitfest_mlmorph_test_CRCRLF.tps', 13, [10]],
    ['borealis_create_tps_with_comments.tps', 2, [3]],
    ['geomorph_issue26_negative_missing_example.tps', 1, [6]],
  ];
  describe('tps-corpus/', function () {
    it('lists every file of the corpus', function () {
      const dir = requireData(this, 'tps-corpus');
      const onDisk = fs.readdirSync(dir).filter((f) => /\.tps$/i.test(f)).sort();
      assert.deepStrictEqual(onDisk, corpus.map((c) => c[0]).sort());
    });
    for (const [file, n, k] of corpus) {
      it(`${file}: ${n} specimen(s), landmarks ${k.join('/')}, no errors`, function () {
        requireData(this, 'tps-corpus', file);
        const doc = read('tps-corpus', file);
        assert.strictEqual(doc.specimens.length, n);
        assert.deepStrictEqual(counts(doc), k);
        assert.deepStrictEqual(errors(doc), []);
      });
    }

    it('features: CR CR LF, no final newline, nested =, curves, outlines, comments, missing, negated', function () {
      requireData(this, 'tps-corpus');
      const crcrlf = read('tps-corpus', 'traitfest_mlmorph_test_CRCRLF.tps');
      assert.strictEqual(crcrlf.lineEnding, 'CRCRLF');
      assert.deepStrictEqual(crcrlf.specimens[0].landmarks[0], { x: 2747, y: 1803 });
      assert.strictEqual(crcrlf.specimens[1].line, 14, 'one logical line per CR CR LF');
      assert.strictEqual(crcrlf.specimens.filter((s) => getField(s, 'ID') !== undefined).length, 13);
      assert.strictEqual(getField(crcrlf.specimens[3], 'IMAGE'), 'test\\FMNH_101110 (1).jpg', 'quoted IMAGE line');

      const p = read('tps-corpus', 'beetle_cnn_p_001.TPS');
      assert.strictEqual(p.finalNewline, false);
      assert.strictEqual(getField(p.specimens[0], 'IMAGE'), 'Prono_001');
      assert.deepStrictEqual(p.specimens[0].landmarks[7], { x: 128, y: 134 });

      const mx = read('tps-corpus', 'maxwagn_Test_tps_file.TPS');
      assert.strictEqual(getField(mx.specimens[0], 'VARIABLES'), 'OrigNum=57');
      assert.strictEqual(getField(mx.specimens[0], 'ID'), '56');
      assert.strictEqual(mx.eol, '\r\n');

      const curve = read('tps-corpus', 'ktch_sample_curve_data.tps').specimens[0];
      assert.deepStrictEqual(curve.landmarks, [{ x: 150, y: 250 }]);
      assert.strictEqual(curve.curves.length, 1);
      assert.strictEqual(curve.curves[0].key, 'CURVES');
      assert.strictEqual(curve.curves[0].curves[0].length, 50);
      assert.deepStrictEqual(curve.curves[0].curves[0][0], { x: 320, y: 145 });
      assert.strictEqual(getField(curve, 'VARIABLES'), 'Area=25.750');
      assert.strictEqual(getField(curve, 'COMMENT'), 'Sample curve outline');

      const outlines = read('tps-corpus', 'momocs_test_outlines.tps');
      for (const s of outlines.specimens) {
        assert.strictEqual(s.curves[0].key, 'OUTLINES');
        assert.strictEqual(s.curves[0].curves.length, 1);
        assert.strictEqual(s.curves[0].curves[0].length, 200);
      }
      assert.deepStrictEqual(outlines.specimens[0].curves[0].curves[0][0], { x: 592, y: 1494 });

      const borealis = read('tps-corpus', 'borealis_create_tps_with_comments.tps');
      assert.strictEqual(borealis.header?.length, 7);
      assert.strictEqual(getField(borealis.specimens[1], 'SCALE'), '0.806451612903226');

      const geo = read('tps-corpus', 'geomorph_issue26_negative_missing_example.tps').specimens[0];
      assert.deepStrictEqual(geo.landmarks, [{ x: 2854, y: 2968 }, null, null, { x: 2400, y: 2854 }, { x: 2267, y: 1937 }, { x: 2968, y: 1091 }]);

      const neg = read('tps-corpus', 'orthetrum_forewing_01.tps');
      assert.deepStrictEqual(neg.specimens[104].landmarks[0], { x: -522, y: -429 });
      assert.ok(neg.specimens.every((s) => s.landmarks.every((q) => q !== null)));
      assert.ok(neg.diagnostics.some((d) => d.specimen === 104 && /negative/.test(d.message)));

      const tri = read('tps-corpus', 'ktch_landmarks_triangle.tps');
      assert.deepStrictEqual(tri.specimens[0].landmarks[0], { x: -0.5310460885835604, y: -0.28026467684166556 });
      assert.ok(tri.specimens.every((s) => s.landmarks.every((q) => q !== null)), 'Procrustes negatives are coordinates');

      const wings = read('tps-corpus', 'benkraj_mosquito_wings.tps');
      assert.strictEqual(wings.specimens[87].landmarks.length, 15);
      assert.strictEqual(wings.specimens[190].landmarks.length, 0);
      assert.ok(wings.diagnostics.some((d) => d.specimen === 87 && d.severity === 'warning'));
      assert.ok(wings.diagnostics.some((d) => d.specimen === 190 && /LM=0/.test(d.message)));

      const ght = read('tps-corpus', 'beetle_maelab_Md_028_GHT_auto.TPS').specimens[0];
      assert.deepStrictEqual(ght.landmarks[0], { x: 1755, y: 1985 });
      assert.deepStrictEqual(ght.landmarks[17], { x: 2256, y: 1201 });
      assert.strictEqual(getField(ght, 'IMAGE'), 'results/Md_028_GHT.jpg');

      const ml = read('tps-corpus', 'mlmorph_drosophila_wing_tps-example.tps');
      assert.deepStrictEqual(ml.specimens[0].landmarks[0], { x: 290, y: 108 });

      const qpal = read('tps-corpus', 'qpal_geomorph_digitize2d_test.tps');
      assert.deepStrictEqual(qpal.specimens[0].landmarks[2], { x: 415.41549047283, y: 163.920254057869 });
      assert.strictEqual(qpal.diagnostics.filter((d) => /placeholder/.test(d.message)).length, 4);
    });
  });

  const folders: Array<[string, number, number, RegExp]> = [
    ['beetles/manual-256x192/pronotum', 293, 8, /^Prono_\d{3}$/],
    ['beetles/manual-256x192/tete', 293, 10, /^Tete_\d{3}_?\.JPG$/],
    ['beetles/manual-256x192/elytre', 293, 11, /^Elytre\d{3}\.JPG$/],
    ['beetles/manual-256x192/md', 290, 18, /^Md\d{3}\.JPG$/],
    ['beetles/manual-256x192/mg', 286, 16, /^Mg\d{3}\.JPG$/],
    ['beetles/mandible-right/all-specimens', 292, 18, /^Md \d{3}\.JPG$/],
  ];
  for (const [rel, files, k, image] of folders) {
    it(`${rel}: ${files} one-specimen files of ${k} landmarks`, function () {
      const dir = requireData(this, rel);
      const names = fs.readdirSync(dir).filter((f) => /\.tps$/i.test(f));
      assert.strictEqual(names.length, files);
      for (const name of names) {
        const doc = parseTps(fs.readFileSync(path.join(dir, name), 'utf8'), name);
        assert.strictEqual(doc.specimens.length, 1, name);
        assert.strictEqual(doc.specimens[0].landmarks.length, k, name);
        assert.deepStrictEqual(errors(doc), [], name);
        assert.match(getField(doc.specimens[0], 'IMAGE') ?? '', image, name);
        assert.ok(doc.specimens[0].landmarks.every((p) => p !== null && p.x >= 0 && p.y >= 0), name);
      }
    });
  }

  it('every TPS file opened for editing: unedited it gives back its bytes, a move changes one line', function () {
    const root = requireData(this);
    const files = allTpsFiles(root);
    assert.ok(files.length >= 1774, `found ${files.length} TPS files`);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const model = new TpsTextModel(text, file);
      assert.strictEqual(model.text, text, file);
      const s = model.doc.specimens.findIndex((sp) => sp.landmarks.some((p) => p !== null));
      if (s < 0) continue;
      const k = model.doc.specimens[s].landmarks.findIndex((p) => p !== null);
      const p = model.doc.specimens[s].landmarks[k]!;
      const written = model.apply({ kind: 'move', specimen: s, index: k, from: null, to: { x: p.x + 1, y: p.y + 1 } });
      assert.ok(written, file);
      const a = splitSource(text).lines;
      const b = splitSource(model.text).lines;
      assert.strictEqual(b.length, a.length, file);
      const changed = a.map((l, i) => (sameLine(l, b[i]) ? -1 : i)).filter((i) => i >= 0);
      assert.deepStrictEqual(changed, [model.parsed.source[s].rows[k] - 1], file);
      assert.deepStrictEqual(model.doc.specimens[s].landmarks[k], { x: p.x + 1, y: p.y + 1 }, file);
      model.undo(written);
      assert.strictEqual(model.text, text, `${file}: undo`);
    }
  });

  it('round trip on every TPS file: parse -> write -> parse gives the same specimens and values', function () {
    const root = requireData(this);
    const files = allTpsFiles(root);
    assert.ok(files.length >= 1774, `found ${files.length} TPS files`);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const first = parseTps(text, file);
      const written = writeTps(first);
      const second = parseTps(written, file);
      assert.strictEqual(second.specimens.length, first.specimens.length, file);
      assert.deepStrictEqual(second.specimens.map(content), first.specimens.map(content), file);
      assert.deepStrictEqual(second.header ?? [], first.header ?? [], file);
      assert.deepStrictEqual(errors(second), [], `${file}: the written file has errors`);
      assert.strictEqual(second.eol, first.eol, file);
      assert.strictEqual(second.finalNewline, first.finalNewline, file);
      assert.strictEqual(writeTps(second), written, `${file}: writing is stable`);
    }
  });
});
