/**
 * Which files are specimen photos: the one list of image file extensions, for every room (the
 * dataset loader and IMAGE= resolution, the engine's predict, the workbench's pickers, the
 * editor's image cache, specimen names). Pure.
 *
 * The list is what the decoders read, in both places that decode photos (the engine,
 * src/engine/data/image.ts, and the editor's image preparation, src/extension/editor/images.ts):
 *   - sharp's prebuilt libvips reads JPEG (.jpg .jpeg .jpe .jfif), PNG, TIFF (.tif .tiff), WebP
 *     and GIF (the first frame), by content, whatever the extension says;
 *   - BMP, which that libvips cannot read, through bmp-js.
 * Left out although sharp opens them: SVG (a drawing, no photo pixels for landmarks to refer to),
 * AVIF (the only HEIF sharp's build reads; HEIC phone photos it cannot) and libvips' own .v.
 *
 * The order matters where IMAGE= has no extension (`Prono_001`): the first extension that names
 * an existing file wins, so the common photo formats come first.
 */

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.jpe', '.jfif', '.gif', '.webp'];

/** The extension of a file name or path (`/` or `\` separators), lower case with its dot; '' when none. */
function extensionOf(nameOrPath: string): string {
  const slash = Math.max(nameOrPath.lastIndexOf('/'), nameOrPath.lastIndexOf('\\'));
  const dot = nameOrPath.lastIndexOf('.');
  return dot > slash ? nameOrPath.slice(dot).toLowerCase() : '';
}

/** True when the name ends with one of IMAGE_EXTENSIONS (any case). */
export function isImageFile(nameOrPath: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(nameOrPath));
}

/** The image extension a name ends with (as IMAGE_EXTENSIONS spells it), or undefined. */
export function imageExtensionOf(nameOrPath: string): string | undefined {
  const ext = extensionOf(nameOrPath);
  return IMAGE_EXTENSIONS.includes(ext) ? ext : undefined;
}

/** "(.jpg .jpeg .png ...)", for messages that say which files are taken for photos. */
export const IMAGE_EXTENSIONS_TEXT = `(${IMAGE_EXTENSIONS.join(' ')})`;
