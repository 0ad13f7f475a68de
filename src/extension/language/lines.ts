/**
 * Maps the TPS parser's logical lines (1-based; CR CR LF counts as one break) to VS Code
 * ranges (where a lone CR is its own break), through character offsets.
 */
import type * as vscode from 'vscode';

/** Start offset of each logical line of `text` (index 0 = line 1). */
export function logicalLineStarts(text: string): number[] {
  const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
  const re = /\r*\n|\r/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

export class LineMap {
  private readonly starts: number[];
  constructor(private readonly doc: vscode.TextDocument) {
    this.starts = logicalLineStarts(doc.getText());
  }

  /** The VS Code line number (0-based) of logical line `line` (1-based), clamped. */
  line(line: number): number {
    const i = Math.max(0, Math.min(this.starts.length - 1, line - 1));
    return Math.min(this.doc.lineCount - 1, this.doc.positionAt(this.starts[i]).line);
  }

  /** The whole text of logical line `line`, without its ending, as a range. */
  range(line: number, make: (l: number) => vscode.Range): vscode.Range {
    return make(this.line(line));
  }
}
