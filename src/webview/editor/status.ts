/**
 * Pure texts of the editor's status line: what the keyboard does where the focus is, and the
 * landmark count a file's specimens share. No DOM, so the rules are tested without a browser.
 */

/** The element that receives the keys, as the editor tells them apart. */
export type KeyFocus = 'list' | 'photo' | 'marker' | 'button' | 'other';

/** What a landmark slot holds. */
export type SlotState = 'point' | 'missing' | 'unreadable';

export interface KeyContext {
  focus: KeyFocus;
  /** False while the editor's document does not have the keyboard (another VS Code part has it). */
  hasFocus: boolean;
  /** 0-based selected landmark, and what its slot holds. */
  selected: number | null;
  selectedState: SlotState | null;
  /** 0-based landmark that the next click places (placing mode), else null. */
  placing: number | null;
  /** Add mode on: the number (1-based) the next added landmark gets, else null. */
  adding: number | null;
  /** A question waiting for Enter/Escape: what Enter does ("add landmark 13"), else null. */
  asking: string | null;
  /** With a marker focused: whether another marker comes after it in Tab order. */
  nextMarker: boolean;
  /** Whether the photo has markers (Tab from the photo goes to the first). */
  markers: boolean;
  /** With a button focused: its label. */
  button?: string;
}

/**
 * "⌨ Photo: Arrows nudge landmark 4 (Shift ×10) · Tab next landmark": where the keys go and
 * what arrows and Tab do there now. The arrow rules are those of the editor's key handler:
 * in the specimen list they change specimen; elsewhere they nudge the selected landmark, or,
 * with no landmark to nudge, ←/→ change specimen.
 */
export function keyboardHint(c: KeyContext): string {
  if (!c.hasFocus) return '⌨ Click the editor to give it the keyboard';
  const where = c.focus === 'list' ? 'Specimen list' : c.focus === 'button' ? `Button “${c.button ?? ''}”` : c.focus === 'other' ? 'Editor' : 'Photo';
  const parts: string[] = [];
  if (c.asking) parts.push(`Enter: ${c.asking}`, 'Esc: cancel');
  else if (c.placing !== null) parts.push(`Click on the photo to place landmark ${c.placing + 1}`, 'Esc cancels');
  else if (c.adding !== null) parts.push(`Click on the photo to add landmark ${c.adding}`, 'Esc leaves add mode');
  if (c.focus === 'list') {
    parts.push('Arrows change specimen', 'Tab toolbar');
    return `⌨ ${where}: ${parts.join(' · ')}`;
  }
  const n = c.selected !== null ? c.selected + 1 : 0;
  if (c.selectedState === 'point') parts.push(`Arrows nudge landmark ${n} (Shift ×10)`);
  else parts.push('←/→ change specimen');
  if (c.selectedState === 'missing' && c.placing === null && !c.asking) parts.push(`P or Enter: place landmark ${n}`);
  if (c.focus === 'marker') parts.push(c.nextMarker ? 'Tab next landmark' : 'Tab leaves the photo');
  else if (c.focus === 'photo') parts.push(c.markers ? 'Tab first landmark' : 'Tab next control');
  else if (c.focus === 'button') parts.push('Enter presses it', 'Tab next control');
  else parts.push('Tab moves the focus');
  return `⌨ ${where}: ${parts.join(' · ')}`;
}

/**
 * The landmark count the other specimens of the file share: the most frequent count among all
 * specimens but `exclude` (ties: the larger), or null when there is no other specimen.
 * tpsDig2 files hold one count for all specimens; adding beyond it is asked first.
 */
export function commonLandmarkCount(counts: readonly number[], exclude: number): number | null {
  const freq = new Map<number, number>();
  counts.forEach((c, i) => {
    if (i !== exclude) freq.set(c, (freq.get(c) ?? 0) + 1);
  });
  let best: number | null = null;
  let bestFreq = 0;
  for (const [c, f] of freq) {
    if (f > bestFreq || (f === bestFreq && best !== null && c > best)) {
      best = c;
      bestFreq = f;
    }
  }
  return best;
}
