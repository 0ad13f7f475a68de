/**
 * Exports for shape analysis (MorphoJ, NTS, wide CSV) and imports from pose tools (DeepLabCut,
 * dlib/ml-morph XML, SLEAP CSV): round trips on the real wing and mollusk files, hand-written
 * files in each tool's own layout, and malformed files that name the line and field and still
 * import the rest.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { parseTps } from '../../src/shared/tps/parse';
import { writeTps } from '../../src/shared/tps/write';
import { tableFromTps, tpsFromTable, landmarkNamesOf, type LandmarkTable } from '../../src/shared/interop/table';
import { fromMorphoJ, fromNts, fromWideCsv, toMorphoJ, toNts, toWideCsv } from '../../src/shared/interop/morphometrics';
import { frameImage, fromDeepLabCut, fromDlibXml, fromSleapCsv, toDeepLabCut, toDlibXml, toSleapCsv } from '../../src/shared/interop/pose';
import { requireData } from '../helpers/data';
import { runCommand } from '../helpers/cli';
import { command as convert } from '../../src/cli/convert';
import * as os from 'os';
import * as path from 'path';

function wings(ctx: Mocha.Context): LandmarkTable {
  const file = requireData(ctx, 'drosophila-wings', 'landmarks.tps');
  return tableFromTps(parseTps(fs.readFileSync(file, 'utf8'), file));
}

function mollusks(ctx: Mocha.Context): LandmarkTable {
  const file = requireData(ctx, 'mollusk', 'landmarks.tps');
  return tableFromTps(parseTps(fs.readFileSync(file, 'utf8'), file));
}

function sameLandmarks(a: LandmarkTable, b: LandmarkTable, tolerance: number): void {
  assert.strictEqual(b.specimens.length, a.specimens.length);
  a.specimens.forEach((s, i) => {
    assert.strictEqual(b.specimens[i].landmarks.length, s.landmarks.length, `specimen ${i + 1}`);
    s.landmarks.forEach((p, j) => {
      const q = b.specimens[i].landmarks[j];
      if (p === null) assert.strictEqual(q, null, `specimen ${i + 1} landmark ${j + 1}`);
      else {
        assert.ok(q, `specimen ${i + 1} landmark ${j + 1} lost`);
        assert.ok(Math.abs(q.x - p.x) <= tolerance && Math.abs(q.y - p.y) <= tolerance, `specimen ${i + 1} landmark ${j + 1}: ${JSON.stringify(q)} vs ${JSON.stringify(p)}`);
      }
    });
  });
}

describe('interop: exports for shape analysis', function () {
  it('MorphoJ text round-trips the wings exactly; a SCALE is applied; a specimen with a missing landmark is left out and named', function () {
    const t = wings(this);
    const back = fromMorphoJ(toMorphoJ(t).text, 'wings.txt');
    assert.deepStrictEqual(back.issues, []);
    sameLandmarks(t, back.table, 0);
    assert.strictEqual(back.table.specimens[0].id, '63001.jpg');
    const scaled: LandmarkTable = {
      specimens: [
        { image: 'a.jpg', scale: 0.5, landmarks: [{ x: 10, y: 20 }, { x: 30, y: 40 }] },
        { image: 'b.jpg', landmarks: [{ x: 1, y: 2 }, null] },
      ],
    };
    const out = toMorphoJ(scaled);
    assert.strictEqual(out.text, 'ID\tX1\tY1\tX2\tY2\na.jpg\t5\t10\t15\t20\n');
    assert.deepStrictEqual(out.leftOut, [{ index: 1, name: 'b.jpg', reason: 'a landmark is missing' }]);
  });

  it('NTS round-trips the mollusks exactly, with the header tpsUtil writes', function () {
    const t = mollusks(this);
    const text = toNts(t).text;
    assert.match(text.split('\n')[1], /^1 150L 30 0 dim=2$/);
    const back = fromNts(text, 'shells.nts');
    assert.deepStrictEqual(back.issues, []);
    sameLandmarks(t, back.table, 0);
  });

  it('wide CSV round-trips names, SCALE and missing landmarks', function () {
    const t: LandmarkTable = {
      landmarkNames: ['tip', 'base', 'notch'],
      specimens: [
        { image: 'shells/a 1.jpg', id: 'A,1', scale: 0.25, landmarks: [{ x: 10.5, y: 20 }, null, { x: 3, y: 4 }] },
        { image: 'b.jpg', landmarks: [{ x: 1, y: 2 }, { x: 5, y: 6 }, { x: 7, y: 8 }] },
      ],
    };
    const csv = toWideCsv(t).text;
    assert.strictEqual(csv.split('\r\n')[0], 'specimen,image,id,scale,tip_x,tip_y,base_x,base_y,notch_x,notch_y');
    assert.strictEqual(csv.split('\r\n')[1], 'a 1.jpg,shells/a 1.jpg,"A,1",0.25,2.625,5,,,0.75,1');
    const back = fromWideCsv(csv, 'x.csv');
    assert.deepStrictEqual(back.issues, []);
    assert.deepStrictEqual(back.table, t);
  });

  it('a TPS written from a table keeps the landmark names in its header, and reading it gives them back', function () {
    const t: LandmarkTable = { landmarkNames: ['snout', 'tail'], specimens: [{ image: 'a.png', landmarks: [{ x: 1, y: 2 }, { x: 3, y: 4 }] }] };
    const text = writeTps(tpsFromTable(t));
    assert.strictEqual(text, '# landmark names: snout, tail\nLM=2\n1 2\n3 4\nIMAGE=a.png\n');
    assert.deepStrictEqual(landmarkNamesOf(parseTps(text)), ['snout', 'tail']);
    assert.deepStrictEqual(tableFromTps(parseTps(text)), t);
  });
});

describe('interop: pose tools', function () {
  const wingHeight = () => 480;

  it('DeepLabCut CSV: the wings round-trip through y-down coordinates, body part names kept', function () {
    const t = wings(this);
    t.landmarkNames = Array.from({ length: 12 }, (_, j) => `vein${j + 1}`);
    const csv = toDeepLabCut(t, { heightOf: wingHeight, video: 'wings' }).text;
    const rows = csv.split('\r\n');
    assert.strictEqual(rows[2].split(',').slice(0, 5).join(','), 'coords,,,x,y');
    // Landmark 1 of 63001.jpg is (290, 108) in TPS: y = 480 - 108 from the top.
    assert.strictEqual(rows[3].split(',').slice(0, 5).join(','), 'labeled-data,wings,63001.jpg,290,372');
    const back = fromDeepLabCut(csv, 'CollectedData_x.csv', { heightOf: wingHeight });
    assert.deepStrictEqual(back.issues, []);
    assert.deepStrictEqual(back.table.landmarkNames, t.landmarkNames);
    sameLandmarks(t, back.table, 1e-9);
  });

  it('DeepLabCut CSV in the older one-column layout and a multi-animal file: one specimen per animal, ID = individual', function () {
    const old = ['scorer,me,me,me,me', 'bodyparts,nose,nose,tail,tail', 'coords,x,y,x,y', 'labeled-data/v1/img001.png,10,20,,', ''].join('\n');
    const a = fromDeepLabCut(old, 'CollectedData_me.csv', { heightOf: () => 100 });
    assert.deepStrictEqual(a.issues, []);
    assert.deepStrictEqual(a.table, { landmarkNames: ['nose', 'tail'], specimens: [{ image: 'img001.png', landmarks: [{ x: 10, y: 80 }, null] }] });
    const multi = [
      'scorer,,,me,me,me,me',
      'individuals,,,mouse1,mouse1,mouse2,mouse2',
      'bodyparts,,,nose,nose,nose,nose',
      'coords,,,x,y,x,y',
      'labeled-data,v1,img7.png,1,2,3,4',
    ].join('\r\n');
    const b = fromDeepLabCut(multi, 'CollectedData_me.csv', { heightOf: () => 10 });
    assert.deepStrictEqual(
      b.table.specimens.map((s) => [s.id, s.landmarks]),
      [
        ['mouse1', [{ x: 1, y: 8 }]],
        ['mouse2', [{ x: 3, y: 6 }]],
      ],
    );
  });

  it('DeepLabCut CSV with a bad cell and a frame of unknown size: both named by line and field, the rest imported', function () {
    const text = ['scorer,,,me,me', 'bodyparts,,,nose,nose', 'coords,,,x,y', 'labeled-data,v,a.png,1,oops', 'labeled-data,v,b.png,3,4', 'labeled-data,v,gone.png,5,6'].join('\n');
    const r = fromDeepLabCut(text, 'C.csv', { heightOf: (p) => (p.endsWith('gone.png') ? undefined : 10) });
    assert.deepStrictEqual(
      r.issues.map((i) => [i.line, i.field]),
      [
        [4, 'nose.y'],
        [6, undefined],
      ],
    );
    assert.match(r.issues[1].message, /gone\.png unknown/);
    assert.deepStrictEqual(
      r.table.specimens.map((s) => s.landmarks[0]),
      [null, { x: 3, y: 6 }],
    );
  });

  it('dlib/ml-morph XML: the wings round-trip (whole pixels), parts 00..11, a box around each wing', function () {
    const t = wings(this);
    const xml = toDlibXml(t, { heightOf: wingHeight }).text;
    assert.match(xml, /<image file='63001\.jpg'>\n {4}<box top='\d+' left='\d+' width='\d+' height='\d+'>\n {6}<part name='00' x='290' y='372'\/>/);
    const back = fromDlibXml(xml, 'train.xml', { heightOf: wingHeight });
    assert.deepStrictEqual(back.issues, []);
    sameLandmarks(t, back.table, 0.5);
  });

  it('dlib XML with a bad coordinate names its line and part; named parts keep their names', function () {
    const xml = [
      '<dataset><images>',
      "<image file='a.jpg'><box top='0' left='0' width='9' height='9'>",
      "<part name='eye' x='1' y='2'/>",
      "<part name='ear' x='q' y='3'/>",
      '</box></image>',
      '</images></dataset>',
    ].join('\n');
    const r = fromDlibXml(xml, 'x.xml', { heightOf: () => 10 });
    assert.deepStrictEqual(
      r.issues.map((i) => [i.line, i.field]),
      [[4, 'part ear x']],
    );
    assert.deepStrictEqual(r.table, { landmarkNames: ['eye'], specimens: [{ image: 'a.jpg', landmarks: [{ x: 1, y: 8 }] }] });
  });

  it('SLEAP analysis CSV: round trip through frame templates, tracks as ID, NaN as not labelled', function () {
    assert.strictEqual(frameImage('img{frame:05}.png', 42), 'img00042.png');
    const csv = [
      'track,frame_idx,instance.score,nose.x,nose.y,nose.score,tail.x,tail.y,tail.score',
      'track_0,3,0.9,10,20,0.8,NaN,NaN,',
      ',7,0.5,1.5,2.5,0.1,3,4,0.2',
      'track_0,x,0.5,1,2,0,3,4,0',
    ].join('\n');
    const r = fromSleapCsv(csv, 'a.csv', { heightOf: () => 100, frameTemplate: 'img{frame:05}.png' });
    assert.deepStrictEqual(
      r.issues.map((i) => [i.line, i.field]),
      [[4, 'frame_idx']],
    );
    assert.deepStrictEqual(r.table, {
      landmarkNames: ['nose', 'tail'],
      specimens: [
        { image: 'img00003.png', id: 'track_0', landmarks: [{ x: 10, y: 80 }, null] },
        { image: 'img00007.png', landmarks: [{ x: 1.5, y: 97.5 }, { x: 3, y: 96 }] },
      ],
    });
    const again = fromSleapCsv(toSleapCsv(r.table, { heightOf: () => 100, frameTemplate: 'img{frame:05}.png' }).text, 'b.csv', {
      heightOf: () => 100,
      frameTemplate: 'img{frame:05}.png',
    });
    assert.deepStrictEqual(again.issues, []);
    assert.deepStrictEqual(again.table, r.table);
  });

  it('files that are not what they claim get one error naming the file and import nothing', function () {
    for (const [read, text] of [
      [(t: string) => fromDeepLabCut(t, 'f', { heightOf: () => 1 }), 'a,b\n1,2\n'],
      [(t: string) => fromSleapCsv(t, 'f', { heightOf: () => 1 }), 'a,b\n1,2\n'],
      [(t: string) => fromDlibXml(t, 'f', { heightOf: () => 1 }), 'hello'],
      [(t: string) => fromNts(t, 'f'), '2 3 4 5'],
      [(t: string) => fromWideCsv(t, 'f'), 'a,b\n1,2\n'],
    ] as const) {
      const r = read(text);
      assert.strictEqual(r.table.specimens.length, 0);
      assert.strictEqual(r.issues.length, 1);
      assert.strictEqual(r.issues[0].file, 'f');
    }
  });
});

describe('CLI: convert', function () {
  it('TPS -> DeepLabCut -> TPS on the real wings, heights read from the photos; never replaces a file', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'landmarks-convert-'));
    try {
      const dlc = path.join(dir, 'CollectedData_me.csv');
      const a = await runCommand(convert, [tps, '--to', 'dlc', '--out', dlc]);
      assert.strictEqual(a.code, 0, a.stderr);
      const back = path.join(dir, 'back.tps');
      const b = await runCommand(convert, [dlc, '--to', 'tps', '--out', back, '--images', path.join(path.dirname(tps), 'images')]);
      assert.strictEqual(b.code, 0, b.stderr);
      const original = tableFromTps(parseTps(fs.readFileSync(tps, 'utf8')));
      const again = tableFromTps(parseTps(fs.readFileSync(back, 'utf8')));
      sameLandmarks(original, again, 1e-9);
      assert.deepStrictEqual(again.specimens.map((s) => s.image), original.specimens.map((s) => s.image));
      const c = await runCommand(convert, [dlc, '--to', 'tps', '--out', back, '--image-height', '480']);
      assert.strictEqual(c.code, 1);
      assert.match(c.stderr, /already exists/);
      // Without the photos and without --image-height, every frame is reported and nothing written.
      const d = await runCommand(convert, [dlc, '--to', 'tps', '--out', path.join(dir, 'none.tps')]);
      assert.strictEqual(d.code, 1);
      assert.match(d.stderr, /CollectedData_me\.csv:4: height of labeled-data\/video\/63001\.jpg unknown/);
      assert.strictEqual(fs.existsSync(path.join(dir, 'none.tps')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
