import { BACKEND_ENV_VAR } from '../../src/engine/backend/init';
import * as tf from '../../src/engine/backend/tf';

/**
 * Mocha hooks for a describe that switches tfjs backends: each test starts without the
 * LANDMARKS_BACKEND override, and afterwards the backend and the variable are as they were.
 */
export function restoreBackendAfter(): void {
  let previous: string | null = null;
  let savedEnv: string | undefined;
  before(function () {
    previous = tf.engine().backendName; // without initialising one
    savedEnv = process.env[BACKEND_ENV_VAR];
  });
  beforeEach(function () {
    delete process.env[BACKEND_ENV_VAR];
  });
  after(async function () {
    if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = savedEnv;
    if (previous) await tf.setBackend(previous);
  });
}
