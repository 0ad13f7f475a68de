/**
 * The editor webview's status texts (src/webview/editor/status.ts): pure functions, no browser.
 * The webview itself in headless Chromium: test/webview/editor-webview.test.ts.
 */
import * as assert from 'assert';
import { commonLandmarkCount, keyboardHint, type KeyContext } from '../../src/webview/editor/status';

describe('editor webview status texts', function () {
  const base: KeyContext = { focus: 'photo', hasFocus: true, selected: null, selectedState: null, placing: null, adding: null, asking: null, nextMarker: true, markers: true };

  it("takes the count most other specimens share as the file's common count", function () {
    assert.strictEqual(commonLandmarkCount([12, 12, 12, 13], 3), 12);
    assert.strictEqual(commonLandmarkCount([12, 12, 12, 13], 0), 12);
    assert.strictEqual(commonLandmarkCount([8, 7, 8, 8], 2), 8);
    assert.strictEqual(commonLandmarkCount([8, 7, 9], 0), 9, 'a tie: the larger');
    assert.strictEqual(commonLandmarkCount([12], 0), null, 'no other specimen');
  });

  it('says what arrows and Tab do where the focus is', function () {
    assert.strictEqual(keyboardHint({ ...base, focus: 'list' }), '⌨ Specimen list: Arrows change specimen · Tab toolbar');
    const marker = keyboardHint({ ...base, focus: 'marker', selected: 3, selectedState: 'point' });
    assert.strictEqual(marker, '⌨ Photo: Arrows nudge landmark 4 (Shift ×10) · Tab next landmark');
    assert.match(keyboardHint({ ...base, focus: 'marker', selected: 7, selectedState: 'point', nextMarker: false }), /Tab leaves the photo/);
    assert.strictEqual(keyboardHint(base), '⌨ Photo: ←/→ change specimen · Tab first landmark');
    assert.match(keyboardHint({ ...base, selected: 0, selectedState: 'missing' }), /P or Enter: place landmark 1/);
    assert.doesNotMatch(keyboardHint({ ...base, selected: 0, selectedState: 'unreadable' }), /place/);
    assert.match(keyboardHint({ ...base, selected: 0, selectedState: 'missing', placing: 0 }), /^⌨ Photo: Click on the photo to place landmark 1 · Esc cancels/);
    assert.match(keyboardHint({ ...base, asking: 'add landmark 13' }), /^⌨ Photo: Enter: add landmark 13 · Esc: cancel/);
    assert.match(keyboardHint({ ...base, focus: 'button', button: 'Fit', selected: 1, selectedState: 'point' }), /^⌨ Button “Fit”: Arrows nudge landmark 2/);
    assert.strictEqual(keyboardHint({ ...base, hasFocus: false }), '⌨ Click the editor to give it the keyboard');
  });
});
