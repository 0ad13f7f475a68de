/** What to annotate next: predicted specimens ranked by the model's own doubt, worst first. */
import * as assert from 'assert';
import { annotationBatch, rankForAnnotation } from '../../src/shared/review/annotate-next';
import { parseTps } from '../../src/shared/tps/parse';
import { formatPredictionComment } from '../../src/shared/tps/review';

function file(specimens: { image: string; confidence?: number; doubt?: number[] }[]): string {
  return specimens
    .map((s) => {
      const c = formatPredictionComment('predicted by m (preset default, 2 landmarks)', { ...(s.confidence !== undefined ? { confidence: s.confidence } : {}), ...(s.doubt ? { doubtPx: s.doubt } : {}) });
      return `LM=2\n1 2\n3 4\nIMAGE=${s.image}\nCOMMENT=${c}\n`;
    })
    .join('');
}

describe('review: what to annotate next', function () {
  it('ranks by the largest landmark doubt, then the lowest confidence; a corrected (negative) doubt counts by its size', function () {
    const doc = parseTps(
      file([
        { image: 'a.jpg', confidence: 0.9, doubt: [3, 4] },
        { image: 'b.jpg', confidence: 0.2, doubt: [2, 30] },
        { image: 'c.jpg', confidence: 0.5, doubt: [30, 1] },
        { image: 'd.jpg', confidence: 0.1 },
      ]),
    );
    assert.deepStrictEqual(rankForAnnotation(doc).map((c) => c.index), [1, 2, 0, 3]);
    const batch = annotationBatch(doc, 2);
    assert.deepStrictEqual(batch.specimens.map((s) => s.fields.find((f) => f.key === 'IMAGE')?.value), ['b.jpg', 'c.jpg']);
    // Copies: the predicted document is not touched.
    batch.specimens[0].fields[0].value = 'x';
    assert.strictEqual(doc.specimens[1].fields[0].value, 'b.jpg');
    assert.strictEqual(annotationBatch(doc, 0).specimens.length, 0);
  });
});
