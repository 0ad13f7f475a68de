import * as assert from 'assert';
import { bootstrapMean, verdict } from '../../src/shared/metrics/bootstrap';

describe('paired bootstrap of a mean gain', () => {
  it('a clear gain has its interval above zero; noise around zero is unclear; the interval holds the mean and narrows with more photos', () => {
    const clear = Array.from({ length: 40 }, (_, i) => 2 + Math.sin(i));
    const c = bootstrapMean(clear);
    assert.ok(c.lo > 0 && c.lo <= c.mean && c.mean <= c.hi, JSON.stringify(c));
    assert.strictEqual(verdict(c), 'helps');
    const noise = Array.from({ length: 40 }, (_, i) => Math.sin(3 * i));
    assert.strictEqual(verdict(bootstrapMean(noise)), 'unclear');
    assert.strictEqual(verdict(bootstrapMean(clear.map((v) => -v))), 'hurts');
    const few = bootstrapMean(noise.slice(0, 8));
    const many = bootstrapMean([...noise, ...noise, ...noise, ...noise]);
    assert.ok(many.hi - many.lo < few.hi - few.lo, `${many.hi - many.lo} < ${few.hi - few.lo}`);
    // the same seed gives the same interval (the bench table is reproducible)
    assert.deepStrictEqual(bootstrapMean(noise), bootstrapMean(noise));
  });
});
