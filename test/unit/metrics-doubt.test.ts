/** Doubt-against-error figures of the bench (src/shared/metrics/doubt.ts), against hand-computed values. */
import * as assert from 'assert';
import { coverage, doubtFigures, ranks, spearman, topDoubtShare } from '../../src/shared/metrics/doubt';

describe('doubt metrics', function () {
  it('ranks give ties their mean rank', function () {
    assert.deepStrictEqual(ranks([5, 6, 7, 8, 7]), [1, 2, 3.5, 5, 3.5]);
    assert.deepStrictEqual(ranks([3, 1, 2]), [3, 1, 2]);
  });

  it("Spearman's rho: 1, -1 and a tied case worked by hand", function () {
    assert.strictEqual(spearman([1, 2, 3], [10, 20, 30]), 1);
    assert.strictEqual(spearman([1, 2, 3], [3, 2, 1]), -1);
    // ranks x 1..5, y 1 2 3.5 5 3.5: sum dxdy = 8, sum dx2 = 10, sum dy2 = 9.5 -> 8 / sqrt(95)
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-12);
    assert.ok(Number.isNaN(spearman([1], [2])));
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), 'no spread in the doubt: undefined');
    assert.throws(() => spearman([1, 2], [1]), /2 vs 1/);
  });

  it('coverage counts errors within (<=) their bound', function () {
    assert.strictEqual(coverage([1, 2, 3, 4], [0.5, 2, 3.5, 5]), 0.5);
    assert.ok(Number.isNaN(coverage([], [])));
  });

  it('the 10% most doubtful items and the share of big errors they hold', function () {
    // 20 items: k = 2 most doubtful are items 0 and 1; big errors (> 10) at items 0, 5, 7, 9
    const doubts = Array.from({ length: 20 }, (_, i) => 20 - i);
    const errors = Array.from({ length: 20 }, () => 1);
    for (const i of [0, 5, 7, 9]) errors[i] = 11;
    assert.strictEqual(topDoubtShare(doubts, errors, 10), 1 / 4);
    assert.ok(Number.isNaN(topDoubtShare(doubts, errors, 100)), 'no big error: undefined');
    const f = doubtFigures(doubts, errors, 10);
    assert.strictEqual(f.top10Share, 0.25);
    assert.strictEqual(f.coverage, 1);
    // default threshold: the errors' p90 (the 18th of 20 sorted values = 11): nothing above it
    assert.ok(Number.isNaN(doubtFigures(doubts, errors).top10Share));
  });
});
