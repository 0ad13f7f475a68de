/**
 * Flags by tolerance (issue 13, item 2): a predicted landmark is flagged when its `doubt px` bound
 * exceeds the user's tolerance (px, or mm through SCALE=), a checked landmark never is, and a
 * specimen is flagged when one of its landmarks is. The file is the real fly-wing TPS with the
 * COMMENT= a prediction writes (formatPredictionComment), read back through the editor's views.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { specimenViews } from '../../src/shared/editing/views';
import { parseTps } from '../../src/shared/tps/parse';
import { formatPredictionComment, parsePredictionNotes, reviewFlags, reviewFlagsByTolerance, reviewFlagsFor, toleranceSummary, type ScaledNotes } from '../../src/shared/tps/review';
import { requireData } from '../helpers/data';

const BASE = 'predicted by wings-model (preset default, 12 landmarks)';

/** The real wings file with a predicted COMMENT= (and SCALE= where given) after each specimen. */
function predictedWings(ctx: Mocha.Context, doubtOf: (i: number) => number[], scaleOf: (i: number) => number | undefined = () => undefined): ScaledNotes[] {
  const file = requireData(ctx, 'drosophila-wings', 'landmarks.tps');
  const blocks = fs.readFileSync(file, 'utf8').split(/(?=^LM=)/m).filter((b) => b.trim());
  const text = blocks
    .map((b, i) => {
      const scale = scaleOf(i);
      const confidence = 1 - Math.max(...doubtOf(i).map(Math.abs)) / 100;
      return `${b.trimEnd()}\n${scale !== undefined ? `SCALE=${scale}\n` : ''}COMMENT=${formatPredictionComment(BASE, { confidence, doubtPx: doubtOf(i) })}\n`;
    })
    .join('');
  const doc = parseTps(text, file);
  assert.strictEqual(doc.specimens.length, 46);
  return specimenViews(doc).map((v) => ({ confidence: v.confidence, doubtPx: v.doubtPx, ...(v.scale !== undefined ? { scale: v.scale } : {}) }));
}

describe('review flags by tolerance', function () {
  it('flags exactly the landmarks whose bound exceeds the tolerance in px; the share of flagged specimens follows from it', function () {
    // Specimen i: landmark 3 has doubt i/2 px (0 .. 22.5), the others 1.5 px.
    const notes = predictedWings(this, (i) => Array.from({ length: 12 }, (_, j) => (j === 2 ? i / 2 : 1.5)));
    const f = reviewFlagsByTolerance(notes, { value: 5, unit: 'px' });
    const expected = Array.from({ length: 46 }, (_, i) => i).filter((i) => i / 2 > 5); // 11..45
    assert.deepStrictEqual([...f.specimens].sort((a, b) => a - b), expected);
    assert.strictEqual(f.specimens[0], 45, 'the largest bound first');
    for (const i of expected) assert.deepStrictEqual(f.landmarks.get(i), [2]);
    assert.strictEqual(f.compared, 46);
    assert.strictEqual(toleranceSummary(f), '35 of 46 specimens above 5 px');
    // A larger tolerance flags fewer; one above every bound flags none (the 10% rule would flag 5).
    assert.strictEqual(reviewFlagsByTolerance(notes, { value: 20, unit: 'px' }).specimens.length, 5);
    assert.strictEqual(reviewFlagsByTolerance(notes, { value: 30, unit: 'px' }).specimens.length, 0);
    assert.strictEqual(reviewFlags(notes).specimens.length, 5, 'the fixed 10% rule, unchanged');
    // At the tolerance exactly: not above it.
    assert.ok(!reviewFlagsByTolerance(notes, { value: 5, unit: 'px' }).landmarks.has(10), 'a bound of 5 px is not above 5 px');
  });

  it('never flags a landmark checked by hand (negative doubt, -0 included)', function () {
    const notes = predictedWings(this, (i) => Array.from({ length: 12 }, (_, j) => (i === 0 && j === 4 ? -40 : i === 1 && j === 0 ? 40 : 1)));
    const f = reviewFlagsByTolerance(notes, { value: 2, unit: 'px' });
    assert.deepStrictEqual(f.specimens, [1]);
    assert.deepStrictEqual([...f.landmarks.entries()], [[1, [0]]]);
    const zero = reviewFlagsByTolerance([{ doubtPx: [-0, 0, 3] }], { value: -1, unit: 'px' });
    assert.deepStrictEqual(zero.landmarks.get(0), [2], 'neither -0 (checked) nor a doubt of 0 is flagged');
  });

  it('in mm converts each bound with its specimen\'s SCALE, and does not compare specimens without SCALE', function () {
    // Every bound 10 px; SCALE 0.01 mm/px on even specimens, 0.05 on odd ones but the last 6 have none.
    const notes = predictedWings(
      this,
      () => Array.from({ length: 12 }, () => 10),
      (i) => (i >= 40 ? undefined : i % 2 ? 0.05 : 0.01),
    );
    assert.strictEqual(notes[0].scale, 0.01, 'SCALE= reaches the notes through the editor\'s views');
    const f = reviewFlagsByTolerance(notes, { value: 0.2, unit: 'mm' }); // 0.1 mm vs 0.5 mm
    assert.deepStrictEqual([...f.specimens].sort((a, b) => a - b), Array.from({ length: 20 }, (_, k) => 2 * k + 1));
    assert.deepStrictEqual(f.unscaled, [40, 41, 42, 43, 44, 45]);
    assert.strictEqual(f.compared, 40);
    assert.strictEqual(toleranceSummary(f), '20 of 40 specimens above 0.2 mm (6 without SCALE not compared)');
    assert.strictEqual(reviewFlagsByTolerance(notes, { value: 0.2, unit: 'px' }).specimens.length, 46, 'the same number in px');
  });

  it('falls back to the 10% rule when the tolerance is off (0), and keeps parsing the notes as written', function () {
    const notes = predictedWings(this, (i) => Array.from({ length: 12 }, (_, j) => (j + i) % 7));
    assert.deepStrictEqual(reviewFlagsFor(notes, { value: 0, unit: 'px' }), reviewFlags(notes));
    assert.deepStrictEqual(reviewFlagsFor(notes), reviewFlags(notes));
    assert.ok('tolerance' in reviewFlagsFor(notes, { value: 3, unit: 'px' }));
    assert.deepStrictEqual(parsePredictionNotes(`${BASE}; confidence 0.9; doubt px 12.1 5`), { confidence: 0.9, doubtPx: [12.1, 5] });
  });
});
