/**
 * The default preset's doubt calibration (src/engine/pipeline/calibration.ts): split
 * conformal on out-of-fold errors, normalised per landmark, so `doubt px` is a 90% error bound.
 */
import * as assert from 'assert';
import { calibratedBound, checkCalibration, conformalQuantile, expectedError, fitDoubtCalibration, MIN_CALIBRATION_PHOTOS } from '../../src/engine/pipeline/calibration';
import { coverage, spearman } from '../../src/shared/metrics/doubt';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Photos x 3 landmarks: landmark j's error scale differs (1, 5, 20 px); the signal tracks the error for landmark 0 and 1, is noise for 2. */
function synth(n: number, seed: number): { signals: number[][]; errors: number[][] } {
  const r = rng(seed);
  const signals: number[][] = [];
  const errors: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s: number[] = [];
    const e: number[] = [];
    [1, 5, 20].forEach((scale, j) => {
      const hard = 0.2 + 3 * r() ** 2; // how hard this photo's landmark is
      const err = scale * hard * (0.3 + 1.4 * r());
      e.push(err);
      s.push(j < 2 ? 7 * hard * (0.8 + 0.4 * r()) : 50 * r());
    });
    signals.push(s);
    errors.push(e);
  }
  return { signals, errors };
}

describe('default preset doubt calibration', function () {
  it('the conformal quantile is the ceil(0.9 (n + 1))-th smallest ratio', function () {
    const v = Array.from({ length: 30 }, (_, i) => 30 - i); // 1..30 shuffled order
    assert.strictEqual(conformalQuantile(v, 0.9), 28); // ceil(0.9 * 31) = 28
    assert.strictEqual(conformalQuantile([3, 1, 2], 0.9), 3, 'beyond n: the largest');
  });

  it('needs enough photos', function () {
    const { signals, errors } = synth(MIN_CALIBRATION_PHOTOS - 1, 1);
    assert.strictEqual(fitDoubtCalibration(signals, errors), undefined);
  });

  it('fitted on 60 photos, bounds hold ~90% of new errors and rank them', function () {
    const fit = synth(60, 2);
    const c = fitDoubtCalibration(fit.signals, fit.errors);
    assert.ok(c, 'fitted');
    assert.ok(c.weight > 0, `the signal carries information: weight ${c.weight}`);
    const test = synth(2000, 3);
    const bounds: number[] = [];
    const errs: number[] = [];
    const expected: number[] = [];
    test.errors.forEach((r, i) => r.forEach((e, j) => {
      bounds.push(calibratedBound(c, j, test.signals[i][j]));
      expected.push(expectedError(c, j, test.signals[i][j]));
      errs.push(e);
    }));
    const cov = coverage(bounds, errs);
    assert.ok(cov >= 0.84 && cov <= 0.96, `coverage ${cov}`);
    const rho = spearman(bounds, errs);
    assert.ok(rho > 0.6, `Spearman ${rho}`);
    const meanE = expected.reduce((a, b) => a + b, 0) / expected.length;
    const meanErr = errs.reduce((a, b) => a + b, 0) / errs.length;
    assert.ok(Math.abs(meanE - meanErr) < 0.2 * meanErr, `expected ${meanE.toFixed(2)} vs actual ${meanErr.toFixed(2)} px`);
    // each landmark's bound sits at its own scale: landmark 2 (20 px) far above landmark 0 (1 px)
    assert.ok(calibratedBound(c, 2, c.medianSignal[2]) > 10 * calibratedBound(c, 0, c.medianSignal[0]));
  });

  it('a model file calibration is checked against the landmark count', function () {
    const fit = synth(40, 4);
    const c = fitDoubtCalibration(fit.signals, fit.errors)!;
    assert.deepStrictEqual(checkCalibration(JSON.parse(JSON.stringify(c)), 3), c);
    assert.throws(() => checkCalibration(c, 4), /4 finite values/);
    assert.throws(() => checkCalibration({ ...c, quantile: [1, NaN, 2] }, 3), /finite/);
  });

  it('photos lacking a landmark (NaN error) still calibrate the landmarks they have; a landmark seldom placed takes pooled figures', function () {
    // as in labelled video frames: landmark 2 (the 20 px one) is hidden in 3 of 4 photos, landmark 1 in one photo
    const fit = synth(48, 5);
    const errors = fit.errors.map((r, i) => r.map((e, j) => ((j === 2 && i % 4 !== 0) || (j === 1 && i === 7) ? NaN : e)));
    assert.strictEqual(errors.filter((r) => r.every(Number.isFinite)).length, 12, 'fewer complete photos than a calibration needs');
    const c = fitDoubtCalibration(fit.signals, errors);
    assert.ok(c, 'fitted from the labelled photos');
    assert.ok([...c.quantile, ...c.medianError, ...c.meanRatio].every(Number.isFinite), JSON.stringify(c));
    const test = synth(2000, 6);
    for (const j of [0, 1, 2]) {
      const bounds = test.errors.map((r, i) => calibratedBound(c, j, test.signals[i][j]));
      const cov = coverage(bounds, test.errors.map((r) => r[j]));
      assert.ok(cov >= 0.75 && cov <= 0.99, `landmark ${j}: coverage ${cov}`);
    }
    assert.strictEqual(fitDoubtCalibration(fit.signals, fit.errors.map((r, i) => (i < 30 ? r.map(() => NaN) : r))), undefined, '18 labelled photos are too few');
  });
});
