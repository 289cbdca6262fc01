/**
 * The codes this package's errors carry: the same vocabulary as the other hmrkit Node
 * packages (memfs-middleware, dev-server, cli), so a caller can switch on `code` without
 * knowing which package threw.
 */
export type SocketServerErrorCode = 'INVALID_OPTION' | 'MISSING_PEER';

/**
 * Every error this package throws on purpose: a stable `code`, and `option` when an option
 * is at fault. Messages may change; codes do not.
 */
export class SocketServerError extends Error {
  readonly code: SocketServerErrorCode;
  /** The option at fault (e.g. `path`, `maxPayload`, `transport`). */
  readonly option?: string;

  constructor(
    code: SocketServerErrorCode,
    message: string,
    options?: { option?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SocketServerError';
    this.code = code;
    if (options?.option !== undefined) this.option = options.option;
  }
}

/** The `sockjs` transport was chosen but the optional peer `sockjs` is not installed. */
export function createMissingPeerError(name: string, cause: unknown): SocketServerError {
  return new SocketServerError(
    'MISSING_PEER',
    `The "${name}" transport needs the "${name}" package, which is not installed. ` +
      `Install it next to @hmrkit/socket-server (npm install ${name}) or use transport: 'ws'.`,
    { option: 'transport', cause },
  );
}

export function createInvalidOptionError(option: string, message: string): SocketServerError {
  return new SocketServerError('INVALID_OPTION', message, { option });
}
