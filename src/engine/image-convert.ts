/**
 * esbuild entry `image-convert` -> dist/image-convert.js: `node image-convert.js <photo> <out.png>`
 * writes the PNG a browser shows for a TIFF or BMP photo (./imaging/display-png.ts) and exits 0;
 * on failure it prints the reason on stderr and exits 1. The extension host forks it for each
 * conversion, so sharp (a native module) never loads in the extension host: a crash there would
 * take the host down, here it only fails one photo.
 */
import * as fs from 'fs';
import { displayPng } from './imaging/display-png';

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: image-convert.js <photo> <out.png>');
  await fs.promises.writeFile(output, await displayPng(input));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
