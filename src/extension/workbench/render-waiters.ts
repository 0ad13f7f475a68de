/**
 * The last render report a webview sent and the callers waiting for one that matches a predicate
 * (past or future), with a timeout. Used by the training and results panels (tests drive them).
 */
export class RenderWaiters<R> {
  last: R | undefined;
  private readonly waiters: { pred: (r: R) => boolean; resolve: (r: R) => void }[] = [];

  /** `view` names the view in the timeout error, e.g. "results view". */
  constructor(private readonly view: string) {}

  wait(pred: (r: R) => boolean, timeoutMs: number): Promise<R> {
    if (this.last !== undefined && pred(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`${this.view}: no matching render within ${timeoutMs} ms (last: ${JSON.stringify(this.last)})`));
        }
      }, timeoutMs);
    });
  }

  /** Records a report and resolves every waiter it matches. */
  report(r: R): void {
    this.last = r;
    for (const w of [...this.waiters]) {
      if (w.pred(r)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  }
}
