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

/** The one error middleware: AppErrors keep their status and message; anything else is a 500 without internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const id = String(req.id ?? '');
    let status = 500;
    let body: ErrorBody['error'] = { code: 'internal', message: 'internal error', request_id: id };
    if (isAppError(err)) {
      status = err.httpStatus;
      body = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), request_id: id };
    } else if (isBodyParserError(err)) {
      status = err.status;
      body = { code: err.type === 'entity.too.large' ? 'payload_too_large' : 'invalid_input', message: err.type === 'entity.parse.failed' ? 'body: not valid JSON' : `body: ${err.message}`, field: 'body', request_id: id };
    }
    if (status >= 500) logger.error({ err, req_id: id }, 'request failed');
    if (res.headersSent) return;
    res.status(status).json({ error: body });
  };
}

function isBodyParserError(e: unknown): e is { status: number; type: string; message: string } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && typeof (e as { type?: unknown }).type === 'string' && (e as { status: number }).status < 500;
}

export { AppError };
