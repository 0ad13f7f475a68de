/**
 * The `default` preset's per-landmark doubt: template disagreement + shape-prior residual + a
 * width-scaled NCC shortfall, so a poorly matched landmark ranks as doubtful even when the two
 * template sets agree.
 */
import * as assert from 'assert';
import { landmarkDoubt } from '../../src/engine/stages/cascade/cascade';

describe('default preset landmark doubt', function () {
  it('a perfect match adds nothing to spread + residual; the match shortfall adds in proportion to (1 - NCC) and to the photo width', function () {
    const at = (score: number, width: number): number => landmarkDoubt({ spread: [1], residual: [0.5], score: [score] }, width)[0];
    assert.strictEqual(at(1, 2000), 1.5);
    const half = at(0.5, 2000) - 1.5;
    assert.ok(half > 0);
    assert.ok(Math.abs(at(0, 2000) - 1.5 - 2 * half) < 1e-9, 'twice the shortfall, twice the doubt');
    assert.ok(Math.abs(at(0.5, 1000) - 1.5 - half / 2) < 1e-9, 'half the width, half the doubt (it is in pixels)');
  });

  it('ranks an agreeing but badly matched landmark above a well matched one that disagrees a little', function () {
    const d = landmarkDoubt({ spread: [4, 0.5], residual: [2, 0.5], score: [0.95, 0.3] }, 632);
    assert.ok(d[1] > d[0], `${d}`);
    assert.ok(landmarkDoubt({ spread: [0], residual: [0], score: [1.2] }, 100)[0] === 0, 'NCC above 1 (never) adds nothing');
  });
});
