/**
 * One training per workspace, also across VS Code windows: a lock file in the models folder
 * holding the pid of the extension host that trains. A stale lock (its process is gone) is taken over.
 */
import * as fs from 'fs';
import * as path from 'path';

export const LOCK_NAME = '.training.lock';

interface LockBody {
  pid: number;
  started: string;
  dataset: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock; returns a release function, or throws with who holds it. */
export function acquireTrainingLock(modelsFolder: string, dataset: string): () => void {
  fs.mkdirSync(modelsFolder, { recursive: true });
  const file = path.join(modelsFolder, LOCK_NAME);
  const body: LockBody = { pid: process.pid, started: new Date().toISOString(), dataset };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(body), { flag: 'wx' });
      return () => {
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockBody;
          if (cur.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let held: LockBody | undefined;
      try {
        held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockBody;
      } catch {
        held = undefined;
      }
      if (held && held.pid !== process.pid && alive(held.pid)) {
        throw new Error(
          `A training is already running in this workspace (another window, started ${new Date(held.started).toLocaleTimeString()} on ${path.basename(held.dataset)}). Wait for it to finish or cancel it there.`,
        );
      }
      if (held && held.pid === process.pid) {
        throw new Error('A training is already running in this window. Wait for it to finish or cancel it ("Landmarks: Cancel engine job").');
      }
      fs.rmSync(file, { force: true }); // stale
    }
  }
  throw new Error(`Could not take the training lock ${file}.`);
}
