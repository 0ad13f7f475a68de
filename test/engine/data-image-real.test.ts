/** The engine's image decoding on a real full-size photo; on small generated images: test/unit/data-image.test.ts. */
import { strict as assert } from 'assert';
import { decodeImage } from '../../src/engine/data/image';
import { requireData } from '../helpers/data';

describe('data: real photos', () => {
  it('decodes a 3264x2448 beetle photo to 256x192 grey and RGB in [0, 1]', async function () {
    const file = requireData(this, 'beetles', 'pronotum', 'images', 'Prono_001.JPG');
    const img = await decodeImage(file, { width: 256, height: 192 });
    assert.equal(img.originalWidth, 3264);
    assert.equal(img.originalHeight, 2448);
    assert.equal(img.frame.scaleX, 256 / 3264);
    let min = 1;
    let max = 0;
    for (const v of img.grey) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.ok(min >= 0 && max <= 1 && max - min > 0.3, `a real photo has contrast: ${min}..${max}`);
    const i = 100 * 256 + 128;
    const g = 0.299 * img.rgb[3 * i] + 0.587 * img.rgb[3 * i + 1] + 0.114 * img.rgb[3 * i + 2];
    assert.ok(Math.abs(g - img.grey[i]) < 1e-6);
  });
});
