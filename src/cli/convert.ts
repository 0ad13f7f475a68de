/**
 * `convert <input> --to <format> --out <file>`: landmark files between TPS and the formats
 * biologists and pose tools use (../shared/interop). Formats: tps, morphoj (MorphoJ text), nts,
 * csv (wide, one row per specimen), dlc (DeepLabCut CollectedData CSV), dlib-xml (dlib/ml-morph
 * imglab XML), sleap-csv (SLEAP analysis CSV). The input format comes from --from or the file
 * (extension, then the header). Pose formats count y from the top: their photos' heights come
 * from --image-height or the photos themselves (beside the input, or in --images).
 * Problems are printed as `file:line: field: message`; what can be read is converted. Never
 * replaces an existing file without --overwrite. Exit 0 when something was converted, 1 when
 * nothing could be, 2 on bad usage.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import type { CliCommand } from './command';
import { photoHeights } from '../shared/dataset/images';
import { writeFileAtomic } from '../shared/node/atomic-write';
import { convertLandmarks, detectFormat, FORMATS, isFormat } from '../shared/interop/formats';
import { imageSize } from '../engine/data/image';

const USAGE = [
  'usage: convert <input> --to <format> --out <file> [--from <format>] [--images <dir>] [--image-height N]',
  '               [--frame-template T] [--video NAME] [--overwrite]',
  '',
  `formats: ${FORMATS.join(', ')}`,
  '  tps        tpsDig TPS (landmark names kept in a "# landmark names:" header comment)',
  '  morphoj    MorphoJ text (tab separated, SCALE applied; specimens with missing landmarks left out)',
  '  nts        NTSYSpc as tpsUtil writes it (SCALE applied; specimens with missing landmarks left out)',
  '  csv        one row per specimen: specimen,image,id,scale,<name>_x,<name>_y,... (SCALE applied)',
  '  dlc        DeepLabCut CollectedData_*.csv (single or multi-animal in; single-animal out)',
  '  dlib-xml   dlib / ml-morph imglab XML (whole pixels)',
  '  sleap-csv  SLEAP analysis CSV (track, frame_idx, <node>.x, <node>.y, ...)',
  '',
  '  --from <format>        input format (default: from the file name and header)',
  '  --images <dir>         where the photos are (pose formats; default: beside the input)',
  '  --image-height N       every photo/frame is N pixels high (instead of reading the photos)',
  '  --frame-template T     SLEAP: IMAGE= of frame k, e.g. "img{frame:05}.png" (default frame_{frame})',
  '  --video NAME           DeepLabCut export: the labeled-data/<NAME> folder (default video)',
  '  --overwrite            replace --out if it exists',
].join('\n');

export const command: CliCommand = {
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          to: { type: 'string' },
          from: { type: 'string' },
          out: { type: 'string' },
          images: { type: 'string' },
          'image-height': { type: 'string' },
          'frame-template': { type: 'string' },
          video: { type: 'string' },
          overwrite: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
      return 2;
    }
    const v = parsed.values;
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    const input = parsed.positionals[0];
    const usage = (m: string) => {
      console.error(`convert: ${m}\n\n${USAGE}`);
      return 2;
    };
    if (!input || parsed.positionals.length > 1) return usage('give exactly one input file');
    if (!isFormat(v.to)) return usage(`--to ${v.to ?? '(missing)'}: expected one of ${FORMATS.join(', ')}`);
    if (!v.out) return usage('--out is required');
    if (v.from !== undefined && !isFormat(v.from)) return usage(`--from ${v.from}: expected one of ${FORMATS.join(', ')}`);
    let fixedHeight: number | undefined;
    if (v['image-height'] !== undefined) {
      fixedHeight = Number(v['image-height']);
      if (!(Number.isInteger(fixedHeight) && fixedHeight > 0)) return usage(`--image-height ${v['image-height']}: expected a positive whole number`);
    }
    if (fs.existsSync(v.out) && !v.overwrite) {
      console.error(`convert: ${v.out} already exists: not replacing it (use --overwrite)`);
      return 1;
    }
    let text: string;
    try {
      text = fs.readFileSync(input, 'utf8');
    } catch (e) {
      console.error(`convert: cannot read ${input}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const from = v.from ?? detectFormat(input, text);
    if (!from) return usage(`cannot tell the format of ${input} from its name: give --from`);
    const template = v['frame-template'];
    const result = await convertLandmarks(
      { from, to: v.to, text, file: input, ...(template ? { frameTemplate: template } : {}), ...(v.video ? { video: v.video } : {}) },
      async (names) => (fixedHeight !== undefined ? new Map(names.map((n) => [n, fixedHeight])) : photoHeights(names, input, v.images, async (p) => (await imageSize(p)).height)),
    );
    for (const i of result.read.issues) console.error(`${i.file}:${i.line}: ${i.field ? `${i.field}: ` : ''}${i.message}`);
    for (const l of result.leftOut) console.error(`${input}: specimen ${l.index + 1} (${l.name}) left out of ${v.to}: ${l.reason}`);
    const written = result.written;
    if (written <= 0) {
      console.error(`convert: nothing to write: no specimen could be converted from ${input}`);
      return 1;
    }
    await writeFileAtomic(v.out, result.text);
    console.log(`${v.out}: ${written} specimen(s) from ${input} (${from} -> ${v.to})${result.read.issues.length ? `, ${result.read.issues.length} problem(s) above` : ''}`);
    return 0;
  },
};
