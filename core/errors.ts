/**
 * The one error taxonomy. Every error a user can cause or meet is an AppError with a stable `code`,
 * an HTTP status for the API and an exit code for the CLI. Anything else reaching the top is a bug.
 */
export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly exitCode: number;
  /** The input field at fault (config key, CLI option, body field), when there is one. */
  readonly field?: string;

  constructor(code: string, message: string, opts: { httpStatus?: number; exitCode?: number; field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = opts.httpStatus ?? 500;
    this.exitCode = opts.exitCode ?? 1;
    this.field = opts.field;
  }

  toJSON(): { error: string; message: string; field?: string } {
    return { error: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

/** Bad input from a user: config, CLI option, request body. */
export class ValidationError extends AppError {
  constructor(message: string, field?: string, cause?: unknown) {
    super('invalid_input', message, { httpStatus: 400, exitCode: 2, field, cause });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, field?: string) {
    super('not_found', message, { httpStatus: 404, exitCode: 3, field });
  }
}

/** Another process holds a resource (a lock, a commit slot) this one needs. */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message, { httpStatus: 409, exitCode: 4 });
  }
}

/** Stored data is not what the code expects (corrupt log, schema drift). */
export class DataError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('data_error', message, { httpStatus: 500, exitCode: 5, cause });
  }
}

/** The lakehouse holds too little history to train a model (more days or members are needed); other models still train. */
export class InsufficientDataError extends AppError {
  constructor(message: string) {
    super('insufficient_data', message, { httpStatus: 422, exitCode: 5 });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A data-quality expectation of severity `error` failed; the layer was not swapped in. */
export class QualityError extends AppError {
  constructor(message: string) {
    super('quality_failed', message, { httpStatus: 500, exitCode: 6 });
  }
}

/** Online feature values differ from the offline store's point-in-time values (training/serving skew). */
export class SkewError extends AppError {
  constructor(message: string) {
    super('skew_detected', message, { httpStatus: 500, exitCode: 7 });
  }
}

/** Credentials missing or wrong (API key). */
export class AuthError extends AppError {
  constructor(message: string) {
    super('unauthorized', message, { httpStatus: 401, exitCode: 9 });
  }
}

/** A client sent more requests than its limit allows; it may retry once the window resets. */
export class RateLimitError extends AppError {
  constructor(message: string) {
    super('rate_limited', message, { httpStatus: 429, exitCode: 11 });
  }
}

/** The service cannot answer yet (no model loaded, store down); retry later. */
export class UnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('unavailable', message, { httpStatus: 503, exitCode: 10, cause });
  }
}

/** The disk refused a read or write: permissions, a read-only mount, no space left. */
export class StorageError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('storage_error', message, { httpStatus: 500, exitCode: 12, cause });
  }
}

const STORAGE_CODES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/**
 * A StorageError saying what the OS refused, where, and what to do, for a node file-system error
 * (undefined for anything else). A temp file is named by its folder: that is what needs fixing.
 */
export function storageError(e: unknown): StorageError | undefined {
  const err = e as NodeJS.ErrnoException;
  const what = typeof err?.code === 'string' ? STORAGE_CODES[err.code] : undefined;
  if (!what || !err.path) return undefined;
  const base = err.path.split('/').pop() ?? '';
  const temp = base.startsWith('.') && base.endsWith('.tmp');
  const verb = { mkdir: 'create', unlink: 'delete', rmdir: 'delete' }[err.syscall ?? ''] ?? err.syscall ?? 'access';
  const action = temp ? `write to ${err.path.slice(0, err.path.length - base.length - 1)}` : `${verb} ${err.path}`;
  const hint =
    err.code === 'ENOSPC' || err.code === 'EDQUOT'
      ? 'free some space (old runs under mlruns/, quality/runs/) and run it again'
      : 'the lakehouse must be writable by this user: fix its owner or permissions, or point --lakehouse (FITLAKE_LAKEHOUSE) at a writable copy';
  return new StorageError(`cannot ${action}: ${what} (${hint})`, e);
}
