/** Image file -> full-resolution grey Float32 image (sharp; JPEG, PNG, TIFF, WebP). */
import sharp from 'sharp';
import type { GreyImage } from './grey';

export async function decodeGrey(file: string): Promise<GreyImage> {
  const { data, info } = await sharp(file, { failOn: 'none' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height);
  const ch = info.channels;
  for (let i = 0, o = 0; o < out.length; i += ch, o++) out[o] = data[i];
  return { width: info.width, height: info.height, data: out };
}
