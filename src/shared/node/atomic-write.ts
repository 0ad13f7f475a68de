/**
 * Atomic file writes (Node fs), the one implementation for every room that writes files: the
 * engine (models, predictions, caches), the extension (TPS saves, CSV exports, image caches), the
 * CLI and the scripts. It lives in src/shared/node because the extension may not import the
 * engine, and the pure core (the rest of src/shared) stays free of fs.
 *
 * How: the bytes go to a temporary file beside the target (the same folder, so the same file
 * system and the rename is atomic), are flushed to disk (fsync) unless the caller says the file
 * can be rebuilt, and the temporary file is renamed over the target. A reader sees the old file
 * or the new one, never half of one; on any error the temporary file is removed and the target
 * is as it was.
 *
 * Temporary names are unique per call: `.<name>.<pid>.<counter>.<random>.tmp`. The pid keeps
 * processes apart, the counter keeps the calls of one process apart (two writes of one file in
 * flight at once, which a pid or a millisecond clock alone does not), and the random part keeps
 * a leftover of an earlier process with a reused pid apart. They are opened with `wx`, so even an
 * impossible collision is an error, never two writers in one file. They end in `.tmp`, which is
 * how caches recognise stale ones to clean up.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface AtomicWriteOptions {
  /**
   * fsync the temporary file before the rename (default true), so a power cut cannot leave an
   * empty file where annotations or a model were. False only for files that are checked on read
   * and rebuilt when bad (caches), where the flush costs time for nothing.
   */
  durable?: boolean;
}

let counter = 0;

/** A temporary file name beside `file`, unique to this call (see the header). */
function tempPathFor(file: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const rand = crypto.randomBytes(4).toString('hex');
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.${rand}.tmp`);
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Writes `data` (a string as UTF-8) to `file` atomically; creates the folder when needed. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const target = path.resolve(file);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  // Opened exclusively before the try: a name somebody else holds is theirs to clean up.
  const handle = await fs.promises.open(tmp, 'wx');
  try {
    try {
      await handle.writeFile(bytesOf(data));
      if (options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Writes the temporary file; removes it when the write fails (not when the open does: see writeFileAtomic). */
function writeTempSync(tmp: string, data: string | Uint8Array, durable: boolean): void {
  const fd = fs.openSync(tmp, 'wx');
  try {
    try {
      fs.writeFileSync(fd, bytesOf(data));
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes the temporary file beside `file`, then `publish` puts it in place (rename, or link for
 * an exclusive write); the temporary file is gone afterwards, whatever happened.
 */
function writeThroughTempSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions, publish: (tmp: string, target: string) => void): void {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  writeTempSync(tmp, data, options.durable !== false);
  try {
    publish(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The synchronous twin of writeFileAtomic, for code that must not yield (engine model files, exit paths). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  writeThroughTempSync(file, data, options, (tmp, target) => fs.renameSync(tmp, target));
}

/**
 * Writes `file` only when nothing is there yet, atomically: the finished temporary file is
 * hard-linked to the target, which fails when the target exists, even when it appeared after any
 * check the caller made (predictions never land on a manual TPS file).
 */
export function writeFileAtomicExclusiveSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  writeThroughTempSync(file, data, options, (tmp, target) => {
    try {
      fs.linkSync(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${file} exists: not overwriting it`);
      throw e;
    }
  });
}
