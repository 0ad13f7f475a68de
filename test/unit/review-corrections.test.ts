/** Retraining from corrections: which specimens were corrected, and the new training file. */
import * as assert from 'assert';
import { correctedSpecimens, predictingModel, retrainingSet } from '../../src/shared/review/corrections';
import { parseTps } from '../../src/shared/tps/parse';
import { commentAfterEdit, formatPredictionComment } from '../../src/shared/tps/review';

const comment = (doubt: number[]) => formatPredictionComment('predicted by wings-default-1 (preset default, 2 landmarks)', { confidence: 0.5, doubtPx: doubt });

describe('review: retraining from corrections', function () {
  it('finds the specimens with a landmark checked by hand, and the model the file names', function () {
    const checked = commentAfterEdit(comment([3, 4]), 'move', 1)!;
    const zeroChecked = commentAfterEdit(comment([0, 4]), 'move', 0)!;
    const doc = parseTps(
      [`LM=2\n1 2\n3 4\nIMAGE=a.jpg\nCOMMENT=${comment([3, 4])}\n`, `LM=2\n1 2\n3 4\nIMAGE=b.jpg\nCOMMENT=${checked}\n`, `LM=2\n1 2\n3 4\nIMAGE=c.jpg\nCOMMENT=${zeroChecked}\n`].join(''),
    );
    assert.deepStrictEqual(correctedSpecimens(doc), [1, 2]);
    assert.strictEqual(predictingModel(doc), 'wings-default-1');
  });

  it('appends the corrections after the manual lines kept byte for byte, skipping photos already annotated or of another count', function () {
    const manualText = 'LM=2\r\n1 2  \r\n3.0 4.0\r\nIMAGE=x.jpg\r\n';
    const manual = parseTps(manualText);
    const predicted = parseTps(
      [`LM=2\n5 6\n7 8\nIMAGE=y.jpg\nID=9\nCOMMENT=${comment([1, 2])}\n`, 'LM=2\n1 1\n2 2\nIMAGE=x.JPG\n', 'LM=1\n1 1\nIMAGE=z.jpg\n'].join(''),
    );
    const r = retrainingSet(manualText, manual, predicted.specimens, (s) => `../photos/${s.fields.find((f) => f.key === 'IMAGE')!.value}`);
    assert.strictEqual(r.added, 1);
    assert.ok(r.text.startsWith(manualText));
    assert.strictEqual(r.text.slice(manualText.length), 'LM=2\r\n5 6\r\n7 8\r\nIMAGE=../photos/y.jpg\r\nID=9\r\nCOMMENT=corrected by hand from predicted by wings-default-1\r\n');
    assert.deepStrictEqual(
      r.skipped.map((x) => x.why),
      ['the manual file already has this photo', '1 landmarks, the manual file has 2'],
    );
  });
});
