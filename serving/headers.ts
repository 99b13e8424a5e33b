import { ServerResponse, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { Express, Request } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Header names and values, flattened: [name, value, name, value, ...] (node's raw header form). */
export type HeaderList = string[];

/**
 * helmet's headers as a list, computed once: a policy without per-request parts (no nonces) gives
 * the same headers on every response, so running helmet's middleware chain per request buys nothing.
 */
export function helmetHeaders(options: HelmetOptions): HeaderList {
  const out: HeaderList = [];
  const probe = { setHeader: (k: string, v: string) => void out.push(k, v), removeHeader: () => undefined, getHeader: () => undefined };
  helmet(options)({ headers: {}, method: 'GET' } as never, probe as never, () => undefined);
  return out;
}

type WriteHead = (status: number, reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]) => ServerResponse;

/**
 * Calls `onHead(req, status)` as every response of the app starts and adds the headers it returns,
 * as defaults: a header the handler set itself (the docs page's own CSP) is kept. They are written in
 * the response's one `writeHead` call, which node makes anyway (res.end/res.send call it implicitly),
 * so a handler that passes its headers to `writeHead` as one list (see `sendJson`) has node validate
 * and serialize them all in one pass instead of a `setHeader` (validation, lower-casing, a map entry)
 * for each. The hook is also where the status is final: the place to count responses.
 */
export function onResponseHead(app: Express, onHead: (req: Request, status: number) => HeaderList): void {
  // onHead returns a fresh list per response: it is extended in place
  const writeHead = ServerResponse.prototype.writeHead as WriteHead;
  (app.response as unknown as { writeHead: WriteHead }).writeHead = function (this: ServerResponse & { req: Request }, status, reason, headers) {
    if (typeof reason !== 'string') [headers, reason] = [reason, undefined];
    const extra = onHead(this.req, status);
    if (Array.isArray(headers) && !this.getHeaderNames().length) {
      for (let i = 0; i < headers.length; i++) extra.push(headers[i] as string);
      return writeHead.call(this, status, reason, extra);
    }
    for (let i = 0; i < extra.length; i += 2) if (!this.hasHeader(extra[i])) this.setHeader(extra[i], extra[i + 1]);
    return writeHead.call(this, status, reason, headers);
  };
}
