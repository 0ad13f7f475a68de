/**
 * The training photos as the stages read them: decoded per pass, or kept in memory between
 * passes when they fit (only the pyramid levels some stage reads; the finer ones are dropped).
 */
import { pyramid, type GreyImage } from '../imaging/grey';
import { readGrey } from '../imaging/read-grey';
import type { Sample } from '../presets/preset';

/** Most bytes of pyramid levels kept in memory between the training passes. */
export const MAX_KEPT_BYTES = 1 << 30;
const EMPTY: GreyImage = { width: 0, height: 0, data: new Float32Array(0) };

/** Bytes that keeping levels `lowest`.. of `photos` photos of the first one's size takes. */
export function keptBytes(photos: number, levels: number, lowest: number, first: { width: number; height: number }): number {
  let b = 0;
  for (let l = lowest; l < levels; l++) b += 4 * Math.ceil(first.width / 2 ** l) * Math.ceil(first.height / 2 ** l);
  return b * photos;
}

export class PhotoStore {
  private readonly kept = new Map<number, GreyImage[]>();
  /**
   * @param keepFrom finest pyramid level kept (levels below it are empty images in kept pyramids)
   * @param keeps whether photos are kept at all (false: every pyramid() decodes again)
   */
  constructor(
    private readonly samples: Sample[],
    readonly levels: number,
    readonly keepFrom: number,
    readonly keeps: boolean,
  ) {}

  /** Photo i at full resolution, decoded now (for passes that need level 0). */
  read(i: number): Promise<GreyImage> {
    return readGrey(this.samples[i].imagePath);
  }

  /** Offers a full pyramid met during a pass: kept (from keepFrom up) when the store keeps photos. */
  offer(i: number, pyr: GreyImage[]): void {
    if (this.keeps && !this.kept.has(i)) this.kept.set(i, pyr.map((g, l) => (l < this.keepFrom ? EMPTY : g)));
  }

  /** Photo i's pyramid: the kept one, else decoded (and kept when the store keeps photos). Levels below keepFrom may be empty. */
  async pyramid(i: number): Promise<GreyImage[]> {
    const k = this.kept.get(i);
    if (k) return k;
    const pyr = pyramid(await this.read(i), this.levels);
    this.offer(i, pyr);
    return this.kept.get(i) ?? pyr;
  }
}
