/** The socket path webpack-dev-server listens on and its client dials by default. */
export const DEFAULT_SOCKET_PATH = '/ws';

/** How many times the client tries to reconnect unless told otherwise (webpack-dev-server's default). */
export const DEFAULT_RECONNECT_ATTEMPTS = 10;

/** Frames larger than this are refused by `parseServerMessage` unless the caller raises the limit. */
export const DEFAULT_MAX_FRAME_BYTES: number = 1024 * 1024;

/** The text of the `error` frame sent to a connection whose Host or Origin header was refused. */
export const INVALID_HOST_ORIGIN_MESSAGE = 'Invalid Host/Origin header';

/** The browser log levels of `client.logging`, quietest first. */
export const LOG_LEVELS: readonly ['none', 'error', 'warn', 'info', 'log', 'verbose'] = [
  'none',
  'error',
  'warn',
  'info',
  'log',
  'verbose',
];

/**
 * The largest frame hmrkit's client accepts, and announces in its `hmrkit-push`
 * frame: a pushed update must fit in it (others are fetched over HTTP as usual).
 */
export const DEFAULT_MAX_PUSH_FRAME_BYTES: number = 4 * 1024 * 1024;
