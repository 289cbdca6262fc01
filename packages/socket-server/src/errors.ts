/** Every error this package throws on purpose. `code` is stable; messages may change. */
export class SocketServerError extends Error {
  readonly code: SocketServerErrorCode;

  constructor(code: SocketServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SocketServerError';
    this.code = code;
  }
}

export type SocketServerErrorCode = 'MISSING_PEER_DEPENDENCY' | 'INVALID_OPTION' | 'SERVER_CLOSED';

/** The `sockjs` transport was chosen but the optional peer `sockjs` is not installed. */
export function createMissingPeerError(name: string, cause: unknown): SocketServerError {
  return new SocketServerError(
    'MISSING_PEER_DEPENDENCY',
    `The "${name}" transport needs the "${name}" package, which is not installed. ` +
      `Install it next to @hmrkit/socket-server (npm install ${name}) or use transport: 'ws'.`,
    { cause },
  );
}

export function createInvalidOptionError(message: string): SocketServerError {
  return new SocketServerError('INVALID_OPTION', message);
}
