/**
 * File changes that either all stay or all go: a SLURM submission writes the plan and the job
 * scripts before sbatch (a task may start the moment sbatch returns, so they must exist), and
 * when sbatch refuses, the folder must be as it was. Replaced and removed files are renamed to a
 * backup beside themselves (inside the work folder: no temp files elsewhere, and a rename on the
 * same file system is atomic) until `commit` drops the backups or `rollback` puts them back.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';

type Change = { kind: 'dir'; dir: string } | { kind: 'file'; file: string; backup?: string };

export class StagedChanges {
  private readonly changes: Change[] = [];
  private readonly tag = `${process.pid}-${Date.now()}`;

  /** Creates `dir` and its missing parents, remembering which ones it created. */
  mkdir(dir: string): void {
    const missing: string[] = [];
    for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
      missing.unshift(d);
      if (path.dirname(d) === d) break;
    }
    for (const d of missing) {
      fs.mkdirSync(d);
      this.changes.push({ kind: 'dir', dir: d });
    }
  }

  write(file: string, data: string): void {
    this.mkdir(path.dirname(file));
    if (this.touched(file)) {
      // Already new or backed up in this transaction: the first backup is what rollback restores.
      writeFileAtomicSync(file, data);
      return;
    }
    const backup = this.moveAside(file);
    this.changes.push({ kind: 'file', file, ...(backup ? { backup } : {}) });
    writeFileAtomicSync(file, data);
  }

  remove(file: string): void {
    if (this.touched(file)) {
      fs.rmSync(file, { force: true });
      return;
    }
    const backup = this.moveAside(file);
    if (backup) this.changes.push({ kind: 'file', file, backup });
  }

  /** Keeps the changes: drops the backups. */
  commit(): void {
    for (const c of this.changes) if (c.kind === 'file' && c.backup) fs.rmSync(c.backup, { force: true });
    this.changes.length = 0;
  }

  /** Undoes the changes, newest first: new files removed, backups restored, created folders removed when empty. */
  rollback(): string[] {
    const problems: string[] = [];
    for (const c of this.changes.reverse()) {
      try {
        if (c.kind === 'file') {
          fs.rmSync(c.file, { force: true });
          if (c.backup) fs.renameSync(c.backup, c.file);
        } else {
          fs.rmdirSync(c.dir);
        }
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    this.changes.length = 0;
    return problems;
  }

  private touched(file: string): boolean {
    return this.changes.some((c) => c.kind === 'file' && c.file === file);
  }

  private moveAside(file: string): string | undefined {
    if (!fs.existsSync(file)) return undefined;
    const backup = path.join(path.dirname(file), `.${path.basename(file)}.${this.tag}.bak`);
    fs.renameSync(file, backup);
    return backup;
  }
}
