/**
 * Specimen-name matching for include / exclude lists: ignores folders, extension, case and
 * leading zeros in numbers (`Prono_001` matches `prono_1.JPG`).
 */
export function specimenKey(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? name;
  const noExt = base.replace(/\.(jpe?g|png|tiff?|bmp|webp)$/i, '');
  return noExt.toLowerCase().replace(/\d+/g, (d) => String(Number(d)));
}

export function sameSpecimen(a: string, b: string): boolean {
  return specimenKey(a) === specimenKey(b);
}
