/** Brightness / contrast / gamma changes of grey images in [0, 1] (results clipped to [0, 1]). */

export interface Photometric {
  /** Added after contrast (e.g. +-0.1). */
  brightness: number;
  /** Multiplies the distance to `pivot` (1 = unchanged). */
  contrast: number;
  /** Contrast pivot; default 0.5. */
  pivot?: number;
  /** v -> v^gamma before the rest (1 = unchanged). */
  gamma?: number;
}

/** out = clip(contrast * (v^gamma - pivot) + pivot + brightness). Returns a new array. */
export function adjustGrey(grey: ArrayLike<number>, p: Photometric): Float32Array {
  const n = grey.length;
  const out = new Float32Array(n);
  const pivot = p.pivot ?? 0.5;
  const gamma = p.gamma ?? 1;
  for (let i = 0; i < n; i++) {
    let v = grey[i];
    if (gamma !== 1) v = Math.pow(v < 0 ? 0 : v, gamma);
    v = p.contrast * (v - pivot) + pivot + p.brightness;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}
