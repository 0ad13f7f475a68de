/** The bench's per-stage table pairs each photo's error after a stage with the stage before it on that same photo. */
import * as assert from 'assert';
import { formatTable, type JobResult } from '../../scripts/bench';

describe('bench: per-stage table', () => {
  it('a round that skipped a stage leaves its photos out of that stage, not misaligned with the others', () => {
    const base: Omit<JobResult, 'stagePhotos'> = { dataset: 'mouse-reaching', preset: 'default', backend: 'wasm', protocol: 'rounds of 11', trainImages: 4, testImages: 4, landmarks: 1, perLandmarkMean: [1], mean: 1, median: 1, p90: 1, meanPctWidth: 1, trainSeconds: 1, predictImagesPerSecond: 1, peakRssMiB: 1, cancelled: false, seconds: 1 };
    const r: JobResult = {
      ...base,
      stagePhotos: [
        { stages: ['cascade', 'sdm'], errors: [10, 6] },
        { stages: ['cascade', 'sdm'], errors: [12, 8] },
        { stages: ['cascade'], errors: [30] },
        { stages: ['cascade'], errors: [40] },
      ],
    };
    const t = formatTable([r]);
    assert.match(t, /\| mouse-reaching \| default \| cascade \| 4 \| 23\.00 \| \(start\) \| \|/);
    assert.match(t, /\| mouse-reaching \| default \| sdm \| 2 \| 7\.00 \| 4\.00 \(4\.00 to 4\.00\) \| helps \|/);
    assert.match(t, /sdm helps on 1 \(mouse-reaching\)/);
  });
});
