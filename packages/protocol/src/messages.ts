import type { LOG_LEVELS } from './constants';
import { normalizeProblems } from './problems';

/** A browser log level (`client.logging`). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `client.progress`: `true` logs to the console; a string also draws an indicator of that shape. */
export type ProgressOption = boolean | 'linear' | 'circular';

/**
 * `client.overlay` as an object. A function filter travels as its
 * `encodeURIComponent(fn.toString())` source text, hence `string`.
 */
export interface OverlayOptions {
  errors?: boolean | string;
  warnings?: boolean | string;
  runtimeErrors?: boolean | string;
  trustedTypesPolicyName?: string;
}

/**
 * One compile problem as it travels in `errors` / `warnings` frames: the
 * whitelisted fields of a webpack stats error (see `normalizeProblem`).
 */
export interface CompileProblem {
  message: string;
  moduleName?: string;
  moduleIdentifier?: string;
  loc?: string;
  file?: string;
  details?: string;
  stack?: string;
}

/** The data of a `progress-update` frame (webpack's ProgressPlugin, as forwarded by the server). */
export interface ProgressUpdate {
  /** An integer from 0 to 100. */
  percent: number;
  msg: string;
  pluginName?: string;
}

// ---------------------------------------------------------------------------
// Server → client messages (webpack-dev-server 5's wire, unchanged in 6)
// ---------------------------------------------------------------------------

/** Hot module replacement is on (sent on connect). */
export interface HotMessage {
  type: 'hot';
}
/** Live reload is on (sent on connect). */
export interface LiveReloadMessage {
  type: 'liveReload';
}
/** `client.progress` (sent on connect when set). */
export interface ProgressMessage {
  type: 'progress';
  data: ProgressOption;
}
/** `client.reconnect` attempts (sent on connect). `Infinity` travels as JSON `null`. */
export interface ReconnectMessage {
  type: 'reconnect';
  data: number;
}
/** `client.overlay` (sent on connect when truthy). */
export interface OverlayMessage {
  type: 'overlay';
  data: boolean | OverlayOptions;
}
/** The hash of the build that follows (a MultiCompiler's child hashes, concatenated). */
export interface HashMessage {
  type: 'hash';
  data: string;
}
/** The build has no errors and no warnings: apply it. */
export interface OkMessage {
  type: 'ok';
}
/** A rebuild produced the same hash with no problems: nothing to do. */
export interface StillOkMessage {
  type: 'still-ok';
}
/** The build has warnings; `preventReloading` is set when it has errors too. */
export interface WarningsMessage {
  type: 'warnings';
  data: CompileProblem[];
  params?: { preventReloading?: boolean };
}
/** The build failed: show the problems, do not apply anything. */
export interface ErrorsMessage {
  type: 'errors';
  data: CompileProblem[];
}
/** A file changed and a rebuild started. */
export interface InvalidMessage {
  type: 'invalid';
}
/** Build progress (only with `client.progress`). */
export interface ProgressUpdateMessage {
  type: 'progress-update';
  data: ProgressUpdate;
}
/** A watched static file changed (only with `liveReload`). */
export interface StaticChangedMessage {
  type: 'static-changed';
  data?: string;
}
/** The connection was refused (`Invalid Host/Origin header`); the server closes it next. */
export interface ErrorMessage {
  type: 'error';
  data: string;
}
/** Set the client's log level. The client handles it; webpack-dev-server itself never sends it. */
export interface LoggingMessage {
  type: 'logging';
  data: LogLevel;
}

/** One file of a pushed hot update: its name under `output.path` (what the page would fetch) and its text. */
export interface PushedFile {
  /** `main.<hash>.hot-update.json`, `main.<hash>.hot-update.js`: relative, no leading slash. */
  name: string;
  content: string;
}

/** The data of a `hot-update` frame. */
export interface HotUpdatePush {
  /** The hash of the build the files belong to (the `hash` frame before it). */
  hash: string;
  /** The manifest(s) and update chunks that build emitted, read from memory. */
  files: PushedFile[];
}

/**
 * hmrkit's own frame, not webpack-dev-server's: the hot update itself, sent
 * between `hash` and `ok` only to a client that asked for it with a
 * `hmrkit-push` frame, so the page applies the build without an HTTP request.
 * webpack-dev-server's client never asks, so it never sees one.
 */
export interface HotUpdateMessage {
  type: 'hot-update';
  data: HotUpdatePush;
}

/** Every message a webpack-dev-server 5 compatible server sends to its clients. */
export type ServerMessage =
  | HotMessage
  | LiveReloadMessage
  | ProgressMessage
  | ReconnectMessage
  | OverlayMessage
  | HashMessage
  | OkMessage
  | StillOkMessage
  | WarningsMessage
  | ErrorsMessage
  | InvalidMessage
  | ProgressUpdateMessage
  | StaticChangedMessage
  | ErrorMessage
  | LoggingMessage
  | HotUpdateMessage;

export type ServerMessageType = ServerMessage['type'];

/** Every `type` of `ServerMessage`, in the order the reference lists them. */
export const SERVER_MESSAGE_TYPES: readonly ServerMessageType[] = [
  'hot',
  'liveReload',
  'progress',
  'reconnect',
  'overlay',
  'hash',
  'ok',
  'still-ok',
  'warnings',
  'errors',
  'invalid',
  'progress-update',
  'static-changed',
  'error',
  'logging',
  'hot-update',
];

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

export const createHotMessage = (): HotMessage => ({ type: 'hot' });
export const createLiveReloadMessage = (): LiveReloadMessage => ({ type: 'liveReload' });
export const createProgressMessage = (data: ProgressOption): ProgressMessage => ({
  type: 'progress',
  data,
});
export const createReconnectMessage = (data: number): ReconnectMessage => ({
  type: 'reconnect',
  data,
});
export const createOverlayMessage = (data: boolean | OverlayOptions): OverlayMessage => ({
  type: 'overlay',
  data,
});
export const createHashMessage = (data: string): HashMessage => ({ type: 'hash', data });
export const createOkMessage = (): OkMessage => ({ type: 'ok' });
export const createStillOkMessage = (): StillOkMessage => ({ type: 'still-ok' });
export const createWarningsMessage = (
  data: CompileProblem[],
  params?: { preventReloading?: boolean },
): WarningsMessage => (params ? { type: 'warnings', data, params } : { type: 'warnings', data });
export const createErrorsMessage = (data: CompileProblem[]): ErrorsMessage => ({
  type: 'errors',
  data,
});
export const createInvalidMessage = (): InvalidMessage => ({ type: 'invalid' });
export const createProgressUpdateMessage = (data: ProgressUpdate): ProgressUpdateMessage => ({
  type: 'progress-update',
  data,
});
export const createStaticChangedMessage = (data?: string): StaticChangedMessage =>
  data === undefined ? { type: 'static-changed' } : { type: 'static-changed', data };
export const createErrorMessage = (data: string): ErrorMessage => ({ type: 'error', data });
export const createLoggingMessage = (data: LogLevel): LoggingMessage => ({
  type: 'logging',
  data,
});

export const createHotUpdateMessage = (data: HotUpdatePush): HotUpdateMessage => ({
  type: 'hot-update',
  data,
});

/** What `createBuildMessages` reads of a build: `stats.toJson({hash, errors, warnings})` fits. */
export interface BuildResult {
  hash?: string;
  /** Webpack stats errors (any shape `normalizeProblem` takes), or none. */
  errors?: unknown;
  warnings?: unknown;
}

/**
 * The frames a server sends after each build, in webpack-dev-server 5's
 * order: `hash`, then `ok` for a clean build; `warnings` (the update still
 * applies) and/or `errors` (nothing is applied), where `warnings` carries
 * `preventReloading` when errors follow. Problems go through the
 * `normalizeProblems` whitelist. Deciding on `still-ok` (an unchanged hash)
 * is left to the server, which knows the previous build.
 */
export function createBuildMessages(build: BuildResult): ServerMessage[] {
  const errors = normalizeProblems(build.errors);
  const warnings = normalizeProblems(build.warnings);
  const messages: ServerMessage[] = [createHashMessage(build.hash ?? '')];
  if (warnings.length > 0) {
    messages.push(
      createWarningsMessage(warnings, errors.length > 0 ? { preventReloading: true } : undefined),
    );
  }
  if (errors.length > 0) messages.push(createErrorsMessage(errors));
  if (warnings.length === 0 && errors.length === 0) messages.push(createOkMessage());
  return messages;
}

// ---------------------------------------------------------------------------
// Client → server messages (hmrkit's own; webpack-dev-server's client sends none)
// ---------------------------------------------------------------------------

/**
 * Sent by hmrkit's client once its socket is open: "push hot updates to me,
 * in frames of at most `maxBytes`". A server that does not know it ignores it
 * (webpack-dev-server does), and the client keeps fetching updates over HTTP.
 */
export interface PushRequestMessage {
  type: 'hmrkit-push';
  data: { maxBytes: number };
}

export const createPushRequestMessage = (maxBytes: number): PushRequestMessage => ({
  type: 'hmrkit-push',
  data: { maxBytes },
});

/**
 * The frame text for a message: `JSON.stringify({type, data, params})`, the
 * exact shape webpack-dev-server writes (absent fields are dropped, and the
 * key order is type, data, params), so its clients read ours byte for byte.
 */
export function serializeMessage(message: ServerMessage | PushRequestMessage): string {
  const { type } = message;
  const data = 'data' in message ? message.data : undefined;
  const params = 'params' in message ? message.params : undefined;
  return JSON.stringify({ type, data, params });
}
