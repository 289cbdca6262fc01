/**
 * The codes this package's errors carry: the same vocabulary as the other hmrkit Node
 * packages (memfs-middleware, socket-server, cli). `*_OPTION` and `MISSING_PEER` mean "the
 * options are wrong" (the CLI exits 2); `PORT_IN_USE` and `NOT_STARTED` are run-time (exit 1).
 */
export type DevServerErrorCode =
  | 'INVALID_OPTION'
  | 'UNKNOWN_OPTION'
  | 'UNSUPPORTED_OPTION'
  | 'MISSING_PEER'
  | 'PORT_IN_USE'
  | 'NOT_STARTED';

/**
 * Every error the dev-server raises on purpose: a stable `code`, and `option` (the path as
 * written in a webpack config, e.g. `devServer.devMiddleware.etag`) when an option is at
 * fault. Messages may change; codes do not.
 */
export class DevServerError extends Error {
  readonly code: DevServerErrorCode;
  /** The option at fault, e.g. `devServer.static[0].staticOptions.maxAge`. */
  readonly option?: string;

  constructor(
    code: DevServerErrorCode,
    message: string,
    options?: { option?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DevServerError';
    this.code = code;
    if (options?.option !== undefined) this.option = options.option;
  }
}

/** `devServer.<path>` (or `devServer` itself for the empty path). */
export const optionPath = (path: string): string => (path ? `devServer.${path}` : 'devServer');

/** A wrong value: names the option path and what it expects. */
export function invalidOption(path: string, expected: string, value: unknown): DevServerError {
  return new DevServerError(
    'INVALID_OPTION',
    `Invalid options: ${optionPath(path)} should be ${expected}, got ${describeValue(value)}.`,
    { option: optionPath(path) },
  );
}

/** An option hmrkit knows but does not implement; `reason` says why or what to use. */
export function unsupportedOption(path: string, reason: string): DevServerError {
  return new DevServerError(
    'UNSUPPORTED_OPTION',
    `Unsupported option: ${optionPath(path)} ${reason}.`,
    {
      option: optionPath(path),
    },
  );
}

/** An optional peer package an option needs is not installed. */
export function missingPeer(path: string, purpose: string, name: string): DevServerError {
  return new DevServerError(
    'MISSING_PEER',
    `${purpose} needs the package "${name}": npm install --save-dev ${name}`,
    { option: optionPath(path) },
  );
}

/**
 * A lower package's option error (memfs-middleware's, socket-server's: same shape, same
 * codes) reported with the `devServer.` path it was given under, e.g. `devMiddleware.etag`.
 * Anything else is rethrown as is.
 */
export function fromPackageOptionError(error: unknown, prefix: string): never {
  const { code, option } = (error ?? {}) as { code?: unknown; option?: unknown };
  if (
    !(error instanceof Error) ||
    typeof option !== 'string' ||
    (code !== 'INVALID_OPTION' && code !== 'UNKNOWN_OPTION')
  ) {
    throw error;
  }
  const path = optionPath(`${prefix}.${option}`);
  // The lower package's reason, without its own "<package>: invalid option "x": " lead.
  const reason = error.message.replace(/^.*?invalid option "[^"]*": /, '');
  throw new DevServerError(code, `Invalid options: ${path}: ${reason}.`, {
    option: path,
    cause: error,
  });
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
