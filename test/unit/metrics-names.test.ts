import { strict as assert } from 'assert';
import { specimenKey, sameSpecimen, baseName } from '../../src/shared/names';

describe('names: specimenKey', () => {
  it('ignores folder, extension, case and leading zeros', () => {
    assert.ok(sameSpecimen('Prono_001', 'Prono_1.JPG'));
    assert.ok(sameSpecimen('C:\\x\\Md 007.JPG', 'md007.jpg'));
    assert.ok(sameSpecimen('C:\\x\\Md 007.JPG', 'images/Md_7.tif'));
    assert.ok(sameSpecimen('/data/63001.jpg', '63001'));
    assert.ok(sameSpecimen('p_001.TPS', 'P_1'));
    assert.ok(sameSpecimen('"Prono_000.png"', 'prono_0'));
    assert.equal(specimenKey('Prono_001'), 'prono_1');
    assert.equal(specimenKey('C:\\Users\\me\\Md 007.JPG'), 'md_7');
    assert.equal(baseName('a/b\\c.jpg'), 'c.jpg');
  });

  it('keeps different specimens apart', () => {
    assert.ok(!sameSpecimen('Prono_001', 'Prono_010'));
    assert.ok(!sameSpecimen('a_1_2', 'a_12'));
    assert.ok(!sameSpecimen('Md 007', 'Mg 007'));
    assert.ok(!sameSpecimen('63001', '63010'));
    // long numbers are compared as text, not rounded through floating point
    assert.ok(!sameSpecimen('12345678901234567890', '12345678901234567891'));
    // only image/TPS extensions are dropped
    assert.ok(!sameSpecimen('shell.v2', 'shell.v3'));
  });
});
