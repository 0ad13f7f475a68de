import { strict as assert } from 'assert';
import { percentile, percentileSorted, summarize, pointErrors, summarizeErrors, matchSpecimens, buildEvaluation } from '../../src/shared/metrics';

describe('metrics: percentiles (type 7, linear between closest ranks)', () => {
  it('matches numpy.percentile / R quantile type 7', () => {
    // numpy.percentile([1, 2, 3, 4], [50, 90]) -> [2.5, 3.7]
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.ok(Math.abs(percentile([4, 1, 3, 2], 90) - 3.7) < 1e-12);
    // numpy.percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1000], 90) -> 100.0
    assert.equal(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1000], 90), 100);
    // numpy.percentile([3, 1, 7], 90) -> 6.2
    assert.ok(Math.abs(percentile([3, 1, 7], 90) - 6.2) < 1e-12);
    assert.equal(percentileSorted([5], 90), 5);
    assert.equal(percentileSorted([1, 9], 0), 1);
    assert.equal(percentileSorted([1, 9], 100), 9);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 101), /0\.\.100/);
    const s = summarize([3, 1, 2]);
    assert.deepEqual(s, { count: 3, mean: 2, median: 2, p90: 2.8, max: 3 });
  });
});

describe('metrics: landmark errors', () => {
  const P = (x: number, y: number) => ({ x, y });

  it('Euclidean errors, missing on either side excluded and counted', () => {
    assert.deepEqual(pointErrors([P(0, 0), P(1, 1), null], [P(3, 4), null, P(0, 0)]), [5, null, null]);
    assert.throws(() => pointErrors([P(0, 0)], []), /counts differ/);
    const s = summarizeErrors([
      { name: 'a', manual: [P(0, 0), P(0, 0)], predicted: [P(3, 4), P(0, 1)] }, // 5, 1
      { name: 'b', manual: [P(0, 0), null], predicted: [P(0, 2), P(9, 9)] }, // 2, missing
      { name: 'c', manual: [P(0, 0), P(0, 0)], predicted: [P(6, 8), P(0, 0)] }, // 10, 0
      { name: 'd', manual: [null, null], predicted: [P(1, 1), P(1, 1)] }, // nothing comparable
    ]);
    assert.equal(s.landmarkCount, 2);
    assert.deepEqual(s.landmarks.map((l) => [l.index, l.count, l.missing, l.mean, l.median, l.max]), [
      [1, 3, 1, 17 / 3, 5, 10],
      [2, 2, 2, 0.5, 0.5, 1],
    ]);
    assert.ok(Math.abs(s.landmarks[0].p90 - 9) < 1e-12); // [2, 5, 10]: h = 1.8 -> 5 + 0.8*5
    assert.equal(s.count, 5);
    assert.equal(s.missing, 3);
    assert.equal(s.mean, (5 + 1 + 2 + 10 + 0) / 5);
    assert.equal(s.median, 2);
    assert.deepEqual(s.images.map((i) => i.name), ['c', 'a', 'b', 'd'], 'worst first, nothing comparable last');
    assert.equal(s.images[0].worstLandmark, 1);
    assert.equal(s.images[2].missing, 1);
    assert.equal(s.meanScaled, undefined, 'no SCALE, no scaled statistics');
  });

  it('SCALE units over the specimens that have a SCALE', () => {
    const s = summarizeErrors([
      { name: 'a', manual: [P(0, 0)], predicted: [P(3, 4)], scale: 0.01 },
      { name: 'b', manual: [P(0, 0)], predicted: [P(0, 10)] },
    ]);
    assert.equal(s.mean, 7.5);
    assert.ok(Math.abs((s.meanScaled ?? NaN) - 0.05) < 1e-12);
    assert.equal(s.scaledCount, 1);
    assert.ok(Math.abs((s.landmarks[0].meanScaled ?? NaN) - 0.05) < 1e-12);
    assert.ok(Math.abs((s.images.find((i) => i.name === 'a')?.meanScaled ?? NaN) - 0.05) < 1e-12);
  });

  it('an evaluation excludes and lists specimens whose landmark counts differ', () => {
    const e = buildEvaluation({
      pairs: [
        { name: 'a', manual: [P(0, 0), P(0, 0)], predicted: [P(1, 0), P(0, 1)] },
        { name: 'b', manual: [P(0, 0), P(0, 0)], predicted: [P(1, 0)] },
        { name: 'c', manual: [P(0, 0)], predicted: [P(1, 0)] },
        { name: 'd', manual: [P(0, 0), P(0, 0)], predicted: [P(2, 0), P(0, 2)] },
      ],
      manualPath: '/m',
      predictedPath: '/p',
    });
    assert.equal(e.matched, 2);
    assert.equal(e.landmarkCount, 2);
    assert.deepEqual(e.excluded.map((x) => x.name), ['b', 'c']);
    assert.match(e.excluded[0].why, /1 predicted landmarks/);
    assert.equal(e.mean, 1.5);
  });
});

describe('metrics: matching specimens by name', () => {
  const named = (label: string, ...names: string[]) => ({ label, names, value: label });

  it('pairs by image name ignoring folder, extension, case and leading zeros; lists the rest', () => {
    const r = matchSpecimens(
      [named('Prono_001', 'Prono_001'), named('Prono_002', 'Prono_002'), named('Md 007', 'C:\\x\\Md 007.JPG')],
      [named('p1', 'images/prono_1.JPG'), named('md', 'md007.jpg'), named('other', 'Prono_003.jpg')],
    );
    assert.deepEqual(r.pairs.map((p) => [p.manual.label, p.predicted.label]), [['Prono_001', 'p1'], ['Md 007', 'md']]);
    assert.deepEqual(r.unmatchedManual.map((s) => s.label), ['Prono_002']);
    assert.deepEqual(r.unmatchedPredicted.map((s) => s.label), ['other']);
  });

  it('first names win over fallbacks (IMAGE before ID), fallbacks pair the rest', () => {
    const r = matchSpecimens(
      [named('m1', 'a.jpg', '2'), named('m2', '', '7', 'x_7.tps')],
      [named('p-id-2', '2'), named('p-a', 'A.JPG'), named('p-x7', 'x_007')],
    );
    assert.deepEqual(r.pairs.map((p) => [p.manual.label, p.predicted.label]).sort(), [['m1', 'p-a'], ['m2', 'p-x7']]);
    assert.deepEqual(r.unmatchedPredicted.map((s) => s.label), ['p-id-2']);
  });

  it('warns about names shared by several specimens and pairs them in order', () => {
    const r = matchSpecimens([named('a', 'x.jpg'), named('b', 'X.png')], [named('p', 'x'), named('q', 'x')]);
    assert.deepEqual(r.pairs.map((p) => [p.manual.label, p.predicted.label]), [['a', 'p'], ['b', 'q']]);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /2 specimens share the name "x"/);
  });
});
