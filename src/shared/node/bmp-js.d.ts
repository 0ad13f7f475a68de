declare module 'bmp-js' {
  interface BmpDecoded {
    width: number;
    height: number;
    /** ABGR bytes, 4 per pixel, rows top to bottom. */
    data: Buffer;
  }
  export function decode(buffer: Buffer): BmpDecoded;
  export function encode(img: { data: Buffer; width: number; height: number }): { data: Buffer; width: number; height: number };
}
