/**
 * Decoding photos for the engine with sharp: JPEG, PNG, TIFF (and WebP/GIF that sharp reads);
 * BMP through src/shared/node/bmp.ts then raw pixels into sharp (which files are photos:
 * src/shared/image-files.ts). EXIF orientation is applied first, so "original pixels" are those
 * of the upright photo, as a viewer shows it.
 *
 * A photo is resized once to the model input. Aspect: `stretch` by default (the paper's way:
 * each axis scaled on its own), or `letterbox` (one scale, centred, black margins). The frame
 * returned with every image maps landmarks between original pixels, model pixels and [-1, 1]
 * exactly as the pixels were resampled (see src/shared/augment/frame.ts).
 */
import * as fs from 'fs';
import sharp from 'sharp';
import { decodeBmp, isBmp } from '../../shared/node/bmp';
import {
  type FitMode,
  type ImageFrame,
  type Point,
  letterboxLayout,
  wholeImageFrame,
  originalToNormalised,
  normalisedToOriginal,
  originalToModel,
  modelToOriginal,
} from '../../shared/augment/frame';
import { rgbToGrey } from '../../shared/augment/channels';

export type { FitMode, ImageFrame, Point };
export { originalToNormalised, normalisedToOriginal, originalToModel, modelToOriginal };

export interface InputSize {
  width: number;
  height: number;
}

export interface DecodeOptions {
  fit?: FitMode;
}

export interface DecodedImage {
  /** Grey (BT.601 luma of rgb), width*height, [0, 1]. */
  grey: Float32Array;
  /** Interleaved RGB, width*height*3, [0, 1]. */
  rgb: Float32Array;
  width: number;
  height: number;
  /** Upright photo size (after EXIF orientation). */
  originalWidth: number;
  originalHeight: number;
  /** Maps landmarks between the photo and this image. */
  frame: ImageFrame;
}

/** A decode failure naming the file. */
export class ImageDecodeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read image "${file}": ${reason}`);
    this.name = 'ImageDecodeError';
  }
}

/** Upright RGB raw bytes at full resolution plus size: the one place that reads image files. */
export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
}

async function readFile(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImageDecodeError(file, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : String((e as Error).message));
  }
}

/** A sharp pipeline on the upright image, from a file's bytes (BMP decoded by bmp-js). */
async function openUpright(file: string): Promise<{ pipeline: sharp.Sharp; width: number; height: number }> {
  const buf = await readFile(file);
  if (buf.length === 0) throw new ImageDecodeError(file, 'the file is empty');
  try {
    if (isBmp(buf)) {
      const { width, height, rgb } = decodeBmp(buf);
      return { pipeline: sharp(rgb, { raw: { width, height, channels: 3 } }), width, height };
    }
    const meta = await sharp(buf).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in the header');
    const swap = (meta.orientation ?? 1) >= 5;
    return {
      pipeline: sharp(buf, { failOn: 'error' }).rotate(),
      width: swap ? meta.height : meta.width,
      height: swap ? meta.width : meta.height,
    };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(file, `not a readable image (${(e as Error).message})`);
  }
}

/** Finishes a pipeline as 8-bit interleaved sRGB, whatever the source (grey, alpha, 16-bit, CMYK). */
async function toRgbBytes(file: string, p: sharp.Sharp, width: number, height: number): Promise<Buffer> {
  try {
    const { data, info } = await p.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height) {
      throw new Error(`decoder gave ${info.width}x${info.height}, expected ${width}x${height}`);
    }
    if (info.channels === 3) return data;
    const n = width * height;
    const out = Buffer.alloc(n * 3);
    for (let i = 0; i < n; i++) {
      const v = data[i * info.channels];
      out[3 * i] = v;
      out[3 * i + 1] = info.channels >= 3 ? data[i * info.channels + 1] : v;
      out[3 * i + 2] = info.channels >= 3 ? data[i * info.channels + 2] : v;
    }
    return out;
  } catch (e) {
    throw new ImageDecodeError(file, `not a readable image (${(e as Error).message})`);
  }
}

/** Bytes (0..255) -> floats in [0, 1]. */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/** Builds a DecodedImage from 8-bit RGB bytes at the model size (also used by the cache). */
export function decodedFromBytes(rgbBytes: Uint8Array, frame: ImageFrame): DecodedImage {
  const rgb = bytesToUnit(rgbBytes);
  return {
    grey: rgbToGrey(rgb),
    rgb,
    width: frame.width,
    height: frame.height,
    originalWidth: frame.originalWidth,
    originalHeight: frame.originalHeight,
    frame,
  };
}

/** 8-bit RGB of the photo resized to `size`, with its frame (the cacheable core of decodeImage). */
export async function decodeImageBytes(
  file: string,
  size: InputSize,
  options: DecodeOptions = {},
): Promise<{ rgb: Buffer; frame: ImageFrame }> {
  const fit = options.fit ?? 'stretch';
  const { pipeline, width: ow, height: oh } = await openUpright(file);
  const frame = wholeImageFrame(ow, oh, size.width, size.height, fit);
  let p: sharp.Sharp;
  if (fit === 'stretch') {
    p = pipeline.resize(size.width, size.height, { fit: 'fill' });
  } else {
    const l = letterboxLayout(ow, oh, size.width, size.height);
    p = pipeline.resize(l.resizedWidth, l.resizedHeight, { fit: 'fill' }).extend({
      left: l.left,
      top: l.top,
      right: size.width - l.resizedWidth - l.left,
      bottom: size.height - l.resizedHeight - l.top,
      background: { r: 0, g: 0, b: 0 },
    });
  }
  const rgb = await toRgbBytes(file, p, size.width, size.height);
  return { rgb, frame };
}

/** Decodes a photo resized to the model input. Errors name the file. */
export async function decodeImage(file: string, size: InputSize, options: DecodeOptions = {}): Promise<DecodedImage> {
  const { rgb, frame } = await decodeImageBytes(file, size, options);
  return decodedFromBytes(rgb, frame);
}

/** The upright photo's size, from the header only (fast). */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const { width, height } = await openUpright(file);
  return { width, height };
}

/** A box of the photo in original pixels (edge coordinates: left edge of pixel column `left`). */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A region of the photo at full resolution resized to `size` (for coarse-to-fine refinement).
 * The box is rounded outwards to whole pixels; parts outside the photo are black. The returned
 * frame maps original pixels <-> region pixels exactly.
 */
export async function decodeRegion(file: string, box: Box, size: InputSize): Promise<DecodedImage> {
  const { pipeline, width: ow, height: oh } = await openUpright(file);
  const bl = Math.floor(box.left);
  const bt = Math.floor(box.top);
  const bw = Math.max(1, Math.ceil(box.left + box.width) - bl);
  const bh = Math.max(1, Math.ceil(box.top + box.height) - bt);
  const sx = size.width / bw;
  const sy = size.height / bh;
  // Intersection with the photo.
  const il = Math.max(0, bl);
  const it = Math.max(0, bt);
  const ir = Math.min(ow, bl + bw);
  const ib = Math.min(oh, bt + bh);
  if (ir <= il || ib <= it) {
    const frame: ImageFrame = { originalWidth: ow, originalHeight: oh, width: size.width, height: size.height, cropX: bl, cropY: bt, scaleX: sx, scaleY: sy, offsetX: 0, offsetY: 0 };
    return decodedFromBytes(new Uint8Array(size.width * size.height * 3), frame);
  }
  // Place the intersection at whole-pixel offsets, resized with the box's scale.
  const left = Math.min(size.width - 1, Math.round((il - bl) * sx));
  const top = Math.min(size.height - 1, Math.round((it - bt) * sy));
  const rw = Math.max(1, Math.min(size.width - left, Math.round((ir - il) * sx)));
  const rh = Math.max(1, Math.min(size.height - top, Math.round((ib - it) * sy)));
  const p = pipeline
    .extract({ left: il, top: it, width: ir - il, height: ib - it })
    .resize(rw, rh, { fit: 'fill' })
    .extend({ left, top, right: size.width - rw - left, bottom: size.height - rh - top, background: { r: 0, g: 0, b: 0 } });
  const rgb = await toRgbBytes(file, p, size.width, size.height);
  const frame: ImageFrame = {
    originalWidth: ow,
    originalHeight: oh,
    width: size.width,
    height: size.height,
    cropX: il,
    cropY: it,
    scaleX: rw / (ir - il),
    scaleY: rh / (ib - it),
    offsetX: left,
    offsetY: top,
  };
  return decodedFromBytes(rgb, frame);
}

/** A (full- or reduced-resolution) grey photo as bytes (BT.601 luma), for cropping many patches fast. */
export interface FullGrey {
  /** 0..255, width*height; sample with valueScale 1/255 (src/shared/augment/warp.ts). */
  data: Uint8Array;
  width: number;
  height: number;
  /** Maps original pixels to this image's pixels (identity scale at full resolution). */
  frame: ImageFrame;
}

export interface FullGreyOptions {
  /**
   * Resolution relative to the photo, (0, 1]; default 1 (full). 0.5 decodes a JPEG about 3x
   * faster (DCT shrink-on-load); patch coordinates then go through `frame`.
   */
  scale?: number;
}

/**
 * Decodes the whole photo once, upright, as 8-bit grey (luma 0.299 R + 0.587 G + 0.114 B like
 * decodeImage, computed by libvips, within 1 of rounding). Crop patches from it with
 * samplePatch / warpGrey (valueScale 1/255) or downsample2x for a pyramid. A 3264x2448 photo
 * takes 8 MB at full resolution.
 */
export async function decodeFullGrey(file: string, options: FullGreyOptions = {}): Promise<FullGrey> {
  const { pipeline, width: ow, height: oh } = await openUpright(file);
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new Error(`decodeFullGrey: scale must be within (0, 1], got ${scale}`);
  const width = scale === 1 ? ow : Math.max(1, Math.floor(ow * scale));
  const height = scale === 1 ? oh : Math.max(1, Math.floor(oh * scale));
  let p = pipeline.removeAlpha().toColourspace('srgb');
  if (width !== ow || height !== oh) p = p.resize(width, height, { fit: 'fill' });
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await p
      .recomb([
        [0.299, 0.587, 0.114],
        [0, 0, 0],
        [0, 0, 0],
      ])
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageDecodeError(file, `not a readable image (${(e as Error).message})`);
  }
  if (out.info.width !== width || out.info.height !== height || out.info.channels !== 1) {
    throw new ImageDecodeError(file, `decoder gave ${out.info.width}x${out.info.height}x${out.info.channels}, expected ${width}x${height}x1`);
  }
  const frame = wholeImageFrame(ow, oh, width, height, 'stretch');
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width, height, frame };
}
