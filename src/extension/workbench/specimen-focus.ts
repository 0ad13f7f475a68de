/**
 * Shows one specimen in a Landmark Editor that may be opening, reloading or already open.
 *
 * Why a loop: the editor's webview is not kept while hidden (retainContextWhenHidden is off),
 * so revealing an open editor reloads its page. Its session still says `ready` from before, so a
 * `select` sent at once reaches a page that is not listening yet and is lost, and the page then
 * comes back on the specimen it showed last (specimen 1 for a fresh file). So the request is
 * sent again until the editor reports that it shows the specimen. No vscode import.
 */

/** The Landmark Editor API (register.ts) as far as this needs it. */
export interface EditorFocusApi<U> {
  state(uri: U): { ready: boolean; selected: number } | undefined;
  select(specimen: number, uri: U): Promise<void>;
}

export interface FocusOptions {
  /** Give up after this long (default 30 s: a webview with a large photo on 2 busy cores). */
  timeoutMs?: number;
  /** Send the request again after this long without the editor showing it (default 1 s). */
  resendMs?: number;
  /** Poll this often (default 50 ms). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once the editor of `uri` reports `specimen` as shown (after at least one request of
 * ours); rejects with the last problem after the timeout.
 */
export async function focusSpecimen<U>(api: EditorFocusApi<U>, uri: U, specimen: number, o: FocusOptions = {}): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const resendMs = o.resendMs ?? 1000;
  const pollMs = o.pollMs ?? 50;
  const start = Date.now();
  let sentAt: number | undefined;
  let problem = 'the editor did not open';
  while (Date.now() - start < timeoutMs) {
    const st = api.state(uri);
    if (st?.ready) {
      if (sentAt !== undefined && st.selected === specimen) return;
      if (sentAt === undefined || Date.now() - sentAt >= resendMs) {
        sentAt = Date.now();
        problem = `the editor shows specimen ${st.selected + 1}`;
        // Not awaited: on a reloading page the answer can take long; the state says when it is done.
        api.select(specimen, uri).catch((e: unknown) => {
          problem = e instanceof Error ? e.message : String(e);
        });
      }
    }
    await sleep(pollMs);
  }
  throw new Error(`could not show specimen ${specimen + 1}: ${problem}`);
}
