/** Photo headers of files on disk: reads only the parts of the file the header parser asks for. */
import * as fs from 'fs';
import { readPhotoHeader, type PhotoHeader } from '../imaging/photo-header';

/** The header of a photo file (format, stored size, EXIF orientation); throws naming nothing but the reason. */
export async function readPhotoHeaderOfFile(file: string): Promise<PhotoHeader> {
  const handle = await fs.promises.open(file, 'r');
  try {
    return await readPhotoHeader(async (offset, length) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    });
  } finally {
    await handle.close();
  }
}
