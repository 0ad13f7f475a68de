/**
 * The one place the engine's own modules (presets, prediction) get decoded images from:
 * the data module's decoder (sharp, BMP, EXIF orientation, errors naming the file).
 */
export { decodeImage, imageSize, ImageDecodeError } from './data/image';
export type { DecodedImage } from './data/image';

import { decodeImage, type DecodedImage } from './data/image';

/** Decodes `file` stretched to width x height (the paper's whole-image frame). */
export function decodeResized(file: string, width: number, height: number): Promise<DecodedImage> {
  return decodeImage(file, { width, height }, { fit: 'stretch' });
}
