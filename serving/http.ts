import type {} from 'pino-http';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { AppError, isAppError, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';

/** Parses `data` with a zod schema; a failure becomes a 400 naming the field at fault. */
export function parse<T>(schema: z.ZodType<T>, data: unknown, where: 'body' | 'query' | 'path'): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = closestIssue(r.error.issues[0]);
  const path = issue?.path.map(String) ?? [];
  const field = path.length ? path.join('.') : where;
  const message = issue?.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue?.message ?? 'invalid';
  throw new ValidationError(`${where}${path.length ? `.${field}` : ''}: ${message}`, issue?.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys[0] : field);
}

type Issue = z.core.$ZodIssue;

/** For a failed union, the issue of the branch that came closest (fewest issues), with its full path. */
function closestIssue(issue: Issue | undefined): Issue | undefined {
  if (issue?.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  const inner = closestIssue(best[0]);
  return inner && { ...inner, path: [...issue.path, ...inner.path] };
}

/**
 * Reads an `application/json` body of at most `limitFor(req)` bytes into req.body (400 when it is not JSON,
 * 413 when larger, 415-style 400 for other content types on requests that carry a body).
 */
export function jsonBody(limitFor: (req: Request) => number): RequestHandler {
  return (req, _res, next) => {
    const limit = limitFor(req);
    const length = req.headers['content-length'];
    if (req.method === 'GET' || req.method === 'HEAD' || (length === undefined && req.headers['transfer-encoding'] === undefined) || length === '0') return next();
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return next(new ValidationError(`body: send application/json, not ${type.split(';')[0] || 'no content type'}`, 'body'));
    if (length !== undefined && Number(length) > limit) return next(new AppError('payload_too_large', `body: larger than ${limit} bytes`, { httpStatus: 413, exitCode: 2, field: 'body' }));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit && !failed) {
        failed = true;
        next(new AppError('payload_too_large', `body: larger than ${limit} bytes`, { httpStatus: 413, exitCode: 2, field: 'body' }));
      } else if (!failed) chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        req.body = JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8'));
      } catch {
        return next(new ValidationError('body: not valid JSON', 'body'));
      }
      next();
    });
    req.on('error', (e) => {
      if (!failed) next(new ValidationError(`body: ${e.message}`, 'body'));
      failed = true;
    });
  };
}

/**
 * Writes JSON without express's res.json/send machinery (content negotiation, ETag, freshness) on the
 * hot paths, its headers in one list with the app's defaults (see `onResponseHead`).
 */
export function sendJson(res: Response, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(text))]);
  res.end(text);
}

/** Wraps an async handler so its rejection reaches the error middleware. */
export const route = (fn: (req: Request, res: Response) => Promise<void> | void): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
  try {
    const r = fn(req, res);
    if (r) r.catch(next);
  } catch (e) {
    next(e);
  }
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; request_id?: string };
}

/** The router's failure to decode a path parameter (`/recommend/%zz`): the client's mistake, not ours. */
const badEscape = (err: unknown) => err instanceof URIError && (err as URIError & { status?: number }).status === 400;

/** The one error middleware: AppErrors keep their status and message; anything else is a 500 without internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const id = String(req.id ?? '');
    let status = 500;
    let body: ErrorBody['error'] = { code: 'internal', message: 'internal error', request_id: id };
    if (badEscape(err)) err = new ValidationError('the request path has a malformed percent-escape', 'path');
    if (isAppError(err)) {
      status = err.httpStatus;
      body = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), request_id: id };
    }
    if (status >= 500 && status !== 503) logger.error({ err, req_id: id }, 'request failed');
    if (res.headersSent) return;
    if (status === 503) res.setHeader('retry-after', '5');
    res.status(status).json({ error: body });
  };
}

