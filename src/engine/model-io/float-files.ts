/**
 * The default preset's model files are pairs: a JSON header and a binary file of little-endian
 * Float32 arrays back to back. Shared reading and writing, with errors naming the file.
 */
import * as fs from 'fs';
import { writeFileAtomicSync } from '../../shared/node/atomic-write';
import { ModelFileError } from './errors';

/** The arrays one after another in one Float32Array. */
export function concatFloat32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Writes the binary file then the header, each atomically (a reader never sees a header without its data). */
export function writeFloatPair(jsonFile: string, header: unknown, binFile: string, data: Float32Array, indent = 2): void {
  writeFileAtomicSync(binFile, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeFileAtomicSync(jsonFile, JSON.stringify(header, null, indent) + '\n');
}

/** Parses the header (caller checks its fields) and checks the binary file exists. */
export function readHeader<T>(jsonFile: string, binFile: string): T {
  if (!fs.existsSync(binFile)) throw new ModelFileError(binFile, 'missing: the model folder is incomplete');
  try {
    return JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as T;
  } catch (e) {
    throw new ModelFileError(jsonFile, `corrupt (not valid JSON: ${(e as Error).message})`);
  }
}

/** The binary file's floats; it must hold exactly `floats` of them (the header says how many). */
export function readFloats(binFile: string, floats: number, jsonName: string): Float32Array {
  const buf = fs.readFileSync(binFile);
  if (buf.byteLength !== floats * 4) throw new ModelFileError(binFile, `size ${buf.byteLength} bytes, ${floats * 4} expected from ${jsonName}`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
