/** Thrown at construction time when an option is unknown or has the wrong type. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  /** The option at fault, e.g. `etag` or `headers[0].key`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`@hmrkit/memfs-middleware: invalid option "${option}": ${message}`);
    this.option = option;
  }
}

/**
 * A request path that must not be served: 400 for a NUL byte, 403 for a path that resolves
 * outside the output folder.
 */
export class FilenameError extends Error {
  override readonly name = 'FilenameError';
  readonly statusCode: 400 | 403;

  constructor(statusCode: 400 | 403, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/**
 * What `forwardError: true` hands to `next(error)` instead of sending the error page:
 * the status the page would have had (400, 403, 404, 412, 416 or 500).
 */
export class ForwardedError extends Error {
  override readonly name = 'ForwardedError';
  readonly statusCode: number;
  /** Same value, for frameworks that read `status` (Koa's `ctx.throw` convention). */
  readonly status: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.status = statusCode;
  }
}
