/**
 * Specimen names: how a manual and a predicted specimen (or an image file and a TPS entry) are
 * recognised as the same specimen. Pure.
 *
 * specimenKey ignores
 *   - folders (both `/` and `\`, so `C:\x\Md 007.JPG` is `Md 007.JPG`),
 *   - an image extension (./image-files.ts) or a TPS one (.tps .txt),
 *   - case,
 *   - leading zeros in numbers (`007` is `7`, `000` is `0`),
 *   - the separators between letters and numbers: the name is cut into runs of letters and runs
 *     of digits, joined by `_` (`Md 007`, `Md_007`, `md007` and `MD-7` all give `md_7`), while
 *     distinct numbers stay distinct (`a_1_2` gives `a_1_2`, `a_12` gives `a_12`).
 * So `Prono_001` matches `Prono_1.JPG`, and `C:\x\Md 007.JPG` matches `md007.jpg`.
 */
import { IMAGE_EXTENSIONS } from './image-files';

const EXTENSION = new RegExp(`(${[...IMAGE_EXTENSIONS, '.tps', '.txt'].map((e) => e.replace('.', '\\.')).join('|')})$`, 'i');

/** The file name of a path written with `/` or `\` separators. */
export function baseName(nameOrPath: string): string {
  const parts = nameOrPath.trim().replace(/^["']|["']$/g, '').split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

export function specimenKey(nameOrPath: string): string {
  const base = baseName(nameOrPath).replace(EXTENSION, '');
  const tokens = base.toLowerCase().match(/\p{L}+|\p{N}+/gu) ?? [];
  return tokens.map((t) => (/^\d+$/.test(t) ? t.replace(/^0+(?=\d)/, '') : t)).join('_');
}

export function sameSpecimen(a: string, b: string): boolean {
  return specimenKey(a) === specimenKey(b);
}
