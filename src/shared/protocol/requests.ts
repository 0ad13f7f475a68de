/**
 * Request/response over postMessage, keyed by message id (as microsoft/vscode-hexeditor does):
 * a request carries an id, its reply carries the same id, so a caller awaits the answer to its
 * own question instead of watching a stream of messages for one that looks right.
 *
 * Pure and typed: a conversation names its methods in a RequestMap (method -> params and
 * result); `RequestClient` is the asking side (it numbers requests and settles their promises),
 * `answerRequest` the answering side. Used by both the extension and a webview.
 */

/** Per method: what the request carries and what its reply carries. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;

/** A request for `method` of map `M`. */
export type RequestMessage<M extends RequestMap> = {
  [K in keyof M & string]: { type: 'request'; id: number; method: K; params: M[K]['params'] };
}[keyof M & string];

/** The reply to request `id`: its result, or why it failed. */
export type ResponseMessage<M extends RequestMap> =
  | { [K in keyof M & string]: { type: 'response'; id: number; method: K; ok: true; result: M[K]['result'] } }[keyof M & string]
  | { type: 'response'; id: number; method: keyof M & string; ok: false; error: string };

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The asking side: numbers requests, and settles each one's promise when its reply arrives. */
export class RequestClient<M extends RequestMap> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** @param send posts a request to the other side (e.g. webview.postMessage). */
  constructor(private readonly send: (message: RequestMessage<M>) => unknown) {}

  /** Sends `method` with `params`; resolves with the reply's result, rejects on an error reply or after `timeoutMs`. */
  request<K extends keyof M & string>(method: K, params: M[K]['params'], timeoutMs: number): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise<M[K]['result']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to request ${id} (${method}) within ${timeoutMs} ms`));
      }, timeoutMs);
      // The map holds requests of every method; the id ties this entry to this K's reply.
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      // Built as the union member for K; TypeScript cannot narrow a mapped union by a generic key.
      const message = { type: 'request', id, method, params } as RequestMessage<M>;
      try {
        void this.send(message);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Settles the request a reply answers; false when no request of this client waits for it. */
  settle(response: ResponseMessage<M>): boolean {
    const p = this.pending.get(response.id);
    if (!p || p.method !== response.method) return false;
    this.pending.delete(response.id);
    clearTimeout(p.timer);
    if (response.ok) p.resolve(response.result);
    else p.reject(new Error(`${response.method} failed in the webview: ${response.error}`));
    return true;
  }

  /** Rejects every waiting request (the other side is gone). */
  dispose(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`request ${id} (${p.method}) abandoned: ${reason}`));
    }
    this.pending.clear();
  }
}

/** The handlers of the answering side: one per method, sync or async. */
export type RequestHandlers<M extends RequestMap> = {
  [K in keyof M & string]: (params: M[K]['params']) => M[K]['result'] | Promise<M[K]['result']>;
};

/** The answering side: runs the handler of `request.method` and replies with the request's id. */
export async function answerRequest<M extends RequestMap>(
  request: RequestMessage<M>,
  handlers: RequestHandlers<M>,
  reply: (response: ResponseMessage<M>) => void,
): Promise<void> {
  const { id, method } = request;
  try {
    // The union of handlers, called with the params of the same method (TypeScript loses the pairing).
    const handler = handlers[method] as (params: unknown) => unknown;
    const result = await handler(request.params);
    reply({ type: 'response', id, method, ok: true, result } as ResponseMessage<M>);
  } catch (e) {
    reply({ type: 'response', id, method, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}
