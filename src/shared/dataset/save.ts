/**
 * Writing TPS files safely (Node fs): through the one atomic writer (../node/atomic-write.ts), so
 * a crash never leaves a half-written file.
 */
import { existsSync, promises as fsp } from 'fs';
import * as path from 'path';
import type { TpsDocument } from '../tps/model';
import { writeTps, type WriteOptions } from '../tps/write';
import { writeFileAtomic } from '../node/atomic-write';

/**
 * `<dir>/<base><ext>`, or `<base>-2<ext>`, `<base>-3<ext>`, ... : the first name nothing is at yet,
 * so a new file (predictions, corrections, an import) never lands on an existing one.
 */
export function freeFileName(dir: string, base: string, ext: string): string {
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${base}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!existsSync(file)) return file;
  }
}

export interface SaveTpsOptions extends WriteOptions {
  /** Refuse to replace an existing file (e.g. never overwrite manual annotations with predictions). */
  noOverwrite?: boolean;
}

/** Writes a TPS document to `file` atomically; with `noOverwrite`, fails if the file exists. */
export async function saveTpsFile(file: string, doc: TpsDocument, options: SaveTpsOptions = {}): Promise<void> {
  if (options.noOverwrite) {
    const exists = await fsp.stat(file).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${file} already exists: not overwriting it`);
  }
  await writeFileAtomic(file, writeTps(doc, options));
}
