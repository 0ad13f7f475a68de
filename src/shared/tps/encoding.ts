/**
 * Bytes of a TPS file <-> text, such that text -> bytes gives back the very bytes read: a UTF-8
 * byte-order mark stays in the text (as U+FEFF, which the parser skips), and a file that is not
 * valid UTF-8 (an old Latin-1 comment or IMAGE= name) is read byte for byte as Latin-1 instead of
 * having its bytes replaced by U+FFFD on the next save. Pure.
 */

export type TpsEncoding = 'utf-8' | 'latin1';

export interface DecodedText {
  text: string;
  encoding: TpsEncoding;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export function decodeTpsBytes(bytes: Uint8Array): DecodedText {
  try {
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    let text = '';
    const CHUNK = 0x8000;
    for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
    return { text, encoding: 'latin1' };
  }
}

export function encodeTpsText(text: string, encoding: TpsEncoding): Uint8Array {
  if (encoding === 'utf-8') return encoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A character Latin-1 cannot hold (typed into a COMMENT) becomes '?', as text editors do.
    out[i] = c <= 0xff ? c : 0x3f;
  }
  return out;
}
