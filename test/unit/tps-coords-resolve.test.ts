import * as assert from 'assert';
import { imageToTps, landmarksToImage, landmarksToTps, tpsToImage } from '../../src/shared/tps/coords';
import { isImageFile } from '../../src/shared/image-files';
import {
  imageBaseName,
  normalizeImageField,
  resolveImageInListing,
  stripImageExtension,
} from '../../src/shared/tps/resolve';

describe('TPS <-> image coordinates', () => {
  it('flips y around the image height (tpsDig origin bottom-left, image origin top-left)', () => {
    assert.deepStrictEqual(tpsToImage({ x: 10, y: 0 }, 480), { x: 10, y: 480 });
    assert.deepStrictEqual(tpsToImage({ x: 10, y: 480 }, 480), { x: 10, y: 0 });
    assert.deepStrictEqual(tpsToImage({ x: 290, y: 108 }, 480), { x: 290, y: 372 });
    assert.deepStrictEqual(imageToTps({ x: 290, y: 372 }, 480), { x: 290, y: 108 });
  });

  it('round-trips and keeps missing landmarks missing', () => {
    const lms = [{ x: 1.5, y: 2.25 }, null, { x: 3264, y: 2448 }];
    const img = landmarksToImage(lms, 2448);
    assert.deepStrictEqual(img, [{ x: 1.5, y: 2445.75 }, null, { x: 3264, y: 0 }]);
    assert.deepStrictEqual(landmarksToTps(img, 2448), lms);
  });
});

describe('IMAGE= resolution against a listing (pure)', () => {
  const files = ['Md 007.JPG', 'Md039.JPG', 'Md_046.jpg', 'md028.jpg', 'Prono_001.JPG', 'notes.txt', 'sub/x.png'];

  it('normalises Windows paths, quotes and ./', () => {
    assert.strictEqual(normalizeImageField(' "C:\\Users\\Me\\img 1.jpg" '), '/Users/Me/img 1.jpg');
    assert.strictEqual(normalizeImageField('./test\\a.jpg'), 'test/a.jpg');
    assert.strictEqual(imageBaseName('C:\\Users\\Federico\\Desktop\\drp030.jpg'), 'drp030.jpg');
    assert.strictEqual(stripImageExtension('Md 007.JPG'), 'Md 007');
    assert.strictEqual(stripImageExtension('Prono_001'), 'Prono_001');
    assert.ok(isImageFile('a.TIFF') && isImageFile('b.bmp') && !isImageFile('c.tps'));
  });

  it('matches exactly, then ignoring case, then adding an extension', () => {
    assert.deepStrictEqual(resolveImageInListing('Md 007.JPG', files), { file: 'Md 007.JPG', how: 'exact' });
    assert.deepStrictEqual(resolveImageInListing('md 007.jpg', files), { file: 'Md 007.JPG', how: 'case' });
    assert.deepStrictEqual(resolveImageInListing('Prono_001', files), { file: 'Prono_001.JPG', how: 'extension' });
    assert.deepStrictEqual(resolveImageInListing('sub\\x.png', files), { file: 'sub/x.png', how: 'exact' });
  });

  it('reduces Windows absolute paths and foreign folders to the file name', () => {
    assert.deepStrictEqual(resolveImageInListing('C:\\Users\\Me\\Desktop\\Md039.JPG', files), { file: 'Md039.JPG', how: 'basename' });
    assert.deepStrictEqual(resolveImageInListing('test\\MD_046.JPG', files), { file: 'Md_046.jpg', how: 'basename' });
  });

  it('falls back to a unique loose match (spaces, _ and case ignored), and only when allowed', () => {
    assert.deepStrictEqual(resolveImageInListing('Md 039.JPG', files), { file: 'Md039.JPG', how: 'loose' });
    assert.deepStrictEqual(resolveImageInListing('Md 028.JPG', files), { file: 'md028.jpg', how: 'loose' });
    assert.deepStrictEqual(resolveImageInListing('Md 046.JPG', files), { file: 'Md_046.jpg', how: 'loose' });
    assert.strictEqual(resolveImageInListing('Md 039.JPG', files, { loose: false }), undefined);
    assert.strictEqual(resolveImageInListing('a b', ['ab.jpg', 'a_b.png']), undefined, 'ambiguous loose match');
    assert.strictEqual(resolveImageInListing('Md 999.JPG', files), undefined);
    assert.strictEqual(resolveImageInListing('notes', files), undefined, 'only image files match by base name');
    assert.strictEqual(resolveImageInListing('', files), undefined);
  });
});
