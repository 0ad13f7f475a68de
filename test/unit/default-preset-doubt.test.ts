/**
 * The `default` preset's per-landmark doubt: template disagreement + shape-prior residual + a
 * width-scaled NCC shortfall, so a poorly matched landmark ranks as doubtful even when the two
 * template sets agree.
 */
import * as assert from 'assert';
import { landmarkDoubt, NCC_DOUBT_PER_WIDTH } from '../../src/engine/stages/cascade/cascade';

describe('default preset landmark doubt', function () {
  it('adds 0.05 x width x (1 - NCC) to spread + residual', function () {
    const d = landmarkDoubt({ spread: [1, 2, 0], residual: [0.5, 0, 3], score: [1, 0.5, -0.2] }, 2000);
    assert.strictEqual(NCC_DOUBT_PER_WIDTH, 0.05);
    assert.deepStrictEqual(d.map((v) => +v.toFixed(9)), [1.5, 2 + 50, 3 + 120]);
  });

  it('ranks an agreeing but badly matched landmark above a well matched one that disagrees a little', function () {
    const d = landmarkDoubt({ spread: [4, 0.5], residual: [2, 0.5], score: [0.95, 0.3] }, 632);
    assert.ok(d[1] > d[0], `${d}`);
    assert.ok(landmarkDoubt({ spread: [0], residual: [0], score: [1.2] }, 100)[0] === 0, 'NCC above 1 (never) adds nothing');
  });
});
