/**
 * The codes this package's errors carry. The same vocabulary as the other hmrkit Node
 * packages (dev-server, socket-server, cli), so a caller can switch on `code` without
 * knowing which package threw: option errors are `*_OPTION`, request paths `*_PATH`.
 */
export type MemfsMiddlewareErrorCode =
  | 'INVALID_OPTION'
  | 'UNKNOWN_OPTION'
  | 'INVALID_PATH'
  | 'FORBIDDEN_PATH'
  /** `forwardError`: the error page's status, handed to `next(error)` instead. */
  | 'FORWARDED_ERROR';

/**
 * Every error this package throws on purpose: a stable `code`, and `option` (e.g. `etag`,
 * `headers[0].key`) when an option is at fault. Messages may change; codes do not.
 */
export class MemfsMiddlewareError extends Error {
  readonly code: MemfsMiddlewareErrorCode;
  /** The option at fault, as a path into the options object. */
  readonly option?: string;

  constructor(
    code: MemfsMiddlewareErrorCode,
    message: string,
    options?: { option?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MemfsMiddlewareError';
    this.code = code;
    if (options?.option !== undefined) this.option = options.option;
  }
}

/** An unknown option or a value of the wrong type; `reason` says what was expected. */
export function optionError(
  code: 'INVALID_OPTION' | 'UNKNOWN_OPTION',
  option: string,
  reason: string,
): MemfsMiddlewareError {
  return new MemfsMiddlewareError(
    code,
    `@hmrkit/memfs-middleware: invalid option "${option}": ${reason}`,
    { option },
  );
}

/**
 * What `forwardError: true` hands to `next(error)` instead of sending the error page
 * (webpack-dev-middleware 8's shape): `statusCode` (and `status`) is the status the page
 * would have had, 400, 403, 404, 412, 416 or 500.
 */
export class ForwardedError extends MemfsMiddlewareError {
  readonly statusCode: number;
  /** Same value, for frameworks that read `status` (Koa's `ctx.throw` convention). */
  readonly status: number;

  constructor(statusCode: number, message: string) {
    super('FORWARDED_ERROR', message);
    this.name = 'ForwardedError';
    this.statusCode = statusCode;
    this.status = statusCode;
  }
}
