import {
  BUILD_READY_EVENT,
  HOT_UPDATE_EVENT,
  type HotEmitter,
  hotEmitter,
  PUSHED_UPDATE_EVENT,
} from '@hmrkit/hot-emitter';
import {
  type CompileProblem,
  createPushRequestMessage,
  createSocketUrl,
  DEFAULT_MAX_PUSH_FRAME_BYTES,
  DEFAULT_RECONNECT_ATTEMPTS,
  type LocationLike,
  type OverlayOptions,
  type ParsedClientOptions,
  type ProgressOption,
  parseServerMessage,
  type ServerMessage,
  serializeMessage,
} from '@hmrkit/protocol';
import { stripAnsi } from './ansi';
import { createLogger, type Logger } from './logger';
import { type CreateOverlayOptions, createOverlay, type Overlay } from './overlay';
import { createProgressIndicator, type ProgressIndicator } from './progress';
import {
  createReconnectingSocket,
  type ReconnectingSocket,
  type ReconnectingSocketOptions,
} from './socket';
import { SOCKET_CLOSE_EVENT, SOCKET_MESSAGE_EVENT, SOCKET_OPEN_EVENT } from './socketEvents';
import type { ConsoleLike, TransportFactory } from './types';

/** The parts of `window` the client uses; tests pass a fake. */
export interface ClientWindow {
  location: LocationLike & { search: string; reload(): void };
  parent?: unknown;
  postMessage?(message: unknown, targetOrigin: string): void;
  addEventListener?(type: string, listener: (event: never) => void): void;
  removeEventListener?(type: string, listener: (event: never) => void): void;
}

export interface ClientOptions extends ParsedClientOptions {
  /** Overrides the URL built from the options and the page location. */
  socketUrl?: string;
}

export interface ClientEnvironment {
  transport: TransportFactory;
  /** @default globalThis.window (absent in workers) */
  window?: ClientWindow;
  /** Without a window (a web worker): the worker's location. @default globalThis.location */
  location?: LocationLike;
  /** @default the page's hotEmitter */
  emitter?: HotEmitter;
  console?: ConsoleLike;
  /** The hash the bundle was built with. @default __webpack_hash__ */
  currentHash?: string;
  /** @default reload the top-most same-document window (climbing `about:` frames) */
  reload?: () => void;
  /** `null` disables the overlay. @default createOverlay() when there is a document */
  overlay?: Overlay | null;
  /** @default createProgressIndicator(shape) when there is a document */
  createProgressIndicator?: (shape: 'linear' | 'circular') => ProgressIndicator;
  now?: () => number;
  /**
   * Ask the server to push hot updates over the socket (hmrkit's `hmrkit-push`
   * frame; @hmrkit/runtime applies them without an HTTP request). A server that
   * does not know the frame ignores it. `false` keeps webpack-dev-server's wire
   * exactly. @default true in hot mode
   */
  push?: boolean;
  /** The largest frame the client parses, announced to the server when asking for pushes. @default 4 MiB */
  maxFrameBytes?: number;
  /** Reconnection timing (tests). */
  socket?: Pick<
    ReconnectingSocketOptions,
    'baseDelayMs' | 'maxDelayMs' | 'random' | 'setTimeout' | 'clearTimeout'
  >;
}

export interface HmrClient {
  /** Handles one raw frame, as the transport would deliver it. */
  receive(data: unknown): void;
  readonly socketUrl: string;
  readonly logger: Logger;
  /** Disconnects for good and removes listeners and UI. */
  close(): void;
}

/** The `Server started: …` line, from the entry's options (as webpack-dev-server prints it). */
export function describeStartup(options: ParsedClientOptions): string {
  const state = (on: unknown): string => (on ? 'enabled' : 'disabled');
  return (
    `Server started: Hot Module Replacement ${state(options.hot)}, ` +
    `Live Reloading ${state(options.liveReload)}, Progress ${state(options.progress)}, ` +
    `Overlay ${state(options.overlay)}.`
  );
}

type OverlayKey = 'errors' | 'warnings' | 'runtimeErrors';

/** What an overlay key allows: nothing, everything, or what a filter function accepts. */
export type OverlayFilter = boolean | ((problem: unknown) => boolean);

/**
 * An `overlay.errors` / `warnings` / `runtimeErrors` value as the entry query
 * carries it. A function is sent as `encodeURIComponent(fn.toString())` (by our
 * dev-server and webpack-dev-server 5 alike) and rebuilt here as
 * webpack-dev-server 5's client does: `new Function`, called with each problem
 * (runtime errors: the Error). A page whose CSP forbids that gets no filter,
 * with a warning: everything is shown, as before filters.
 */
export function createOverlayFilter(
  value: boolean | string | undefined,
  logger?: Pick<Logger, 'warn'>,
): OverlayFilter {
  if (typeof value !== 'string') return value !== false;
  try {
    const source = decodeURIComponent(value);
    // The user's own config function, sent by the server as its source text.
    const filter = new Function(
      'message',
      `var callback = ${source}\nreturn callback(message)`,
    ) as (problem: unknown) => unknown;
    return (problem) => Boolean(filter(problem));
  } catch (error) {
    logger?.warn('Could not use an overlay filter function; showing everything.', error);
    return true;
  }
}

function formatProblem(problem: CompileProblem): string {
  const where = [problem.moduleName ?? problem.file, problem.loc].filter(Boolean).join(' ');
  return stripAnsi(where ? `${where}\n${problem.message}` : problem.message);
}

// React's development build rethrows errors caught by error boundaries through
// this function; they are handled by the app, so they are not "uncaught".
const isHandledByReact = (error: unknown): boolean =>
  typeof (error as { stack?: unknown })?.stack === 'string' &&
  (error as { stack: string }).stack.includes('invokeGuardedCallbackDev');

function defaultReload(win: ClientWindow): () => void {
  return () => {
    // An about:blank / about:srcdoc frame cannot reload itself meaningfully:
    // reload the first ancestor with a real document (same-origin only).
    let target = win;
    try {
      while (target.location.protocol === 'about:' && target.parent && target.parent !== target) {
        target = target.parent as ClientWindow;
      }
    } catch {
      // a cross-origin parent: reload what we have
    }
    target.location.reload();
  };
}

/**
 * Where the client runs: the page's location, or in a web worker (no
 * `window`) the worker's own `self.location`, whose origin is the page's, so
 * the socket dials the host the page came from, as webpack-dev-server's
 * client does with `self.location`. Without it a worker on
 * http://127.0.0.1:8080 would dial `localhost` and be refused as cross-origin.
 */
function getLocation(win: ClientWindow | undefined, env: ClientEnvironment): LocationLike {
  if (win) return win.location;
  const own = env.location ?? (globalThis as { location?: LocationLike }).location;
  return own ?? { protocol: 'http:', hostname: '', port: '' };
}

const defaultNow = (): number =>
  typeof performance !== 'undefined' ? performance.now() : Date.now();

/**
 * The client: connects to the dev server, follows its frames, shows problems,
 * and hands each new build to the hot runtime (or reloads the page).
 */
export function createClient(options: ClientOptions, env: ClientEnvironment): HmrClient {
  const win = env.window ?? (globalThis as { window?: ClientWindow }).window;
  const emitter = env.emitter ?? hotEmitter;
  const now = env.now ?? defaultNow;
  const logger = createLogger(options.logging ?? 'info', env.console ?? console);
  const reload = env.reload ?? (win ? defaultReload(win) : () => {});
  const hasDocument = typeof document !== 'undefined';
  const makeIndicator =
    env.createProgressIndicator ??
    (hasDocument ? (shape: 'linear' | 'circular') => createProgressIndicator(shape) : undefined);

  let hot = options.hot === true || options.hot === 'only';
  const push = env.push ?? hot;
  const maxFrameBytes = env.maxFrameBytes ?? DEFAULT_MAX_PUSH_FRAME_BYTES;
  const pushRequest = serializeMessage(createPushRequestMessage(maxFrameBytes));
  let liveReload = options.liveReload === true;
  let progress: ProgressOption = options.progress ?? false;
  let overlayConfig: boolean | OverlayOptions = options.overlay ?? false;
  let overlay: Overlay | null | undefined = env.overlay;
  let indicator: ProgressIndicator | undefined;
  let currentHash = env.currentHash ?? '';
  let previousHash = '';
  let readyAt = 0;
  let unloading = false;
  let build: { errors: CompileProblem[]; warnings: CompileProblem[] } = {
    errors: [],
    warnings: [],
  };

  let filters = new Map<OverlayKey, OverlayFilter>();
  const overlayFilter = (key: OverlayKey): OverlayFilter => {
    if (overlayConfig === false) return false;
    if (overlayConfig === true) return true;
    let filter = filters.get(key);
    if (filter === undefined) {
      filter = createOverlayFilter(overlayConfig[key], logger);
      filters.set(key, filter);
    }
    return filter;
  };
  /** The problems a key lets through to the overlay. */
  const shown = <T>(key: OverlayKey, problems: T[]): T[] => {
    const filter = overlayFilter(key);
    if (typeof filter === 'function') {
      return problems.filter((problem) => {
        try {
          return filter(problem);
        } catch (error) {
          logger.warn(`The overlay.${key} filter threw; showing the problem.`, error);
          return true;
        }
      });
    }
    return filter ? problems : [];
  };

  const getOverlay = (): Overlay | null => {
    if (overlay === undefined) {
      if (!hasDocument) {
        overlay = null;
      } else {
        const overlayOptions: CreateOverlayOptions = {};
        if (typeof overlayConfig === 'object' && overlayConfig.trustedTypesPolicyName) {
          overlayOptions.trustedTypesPolicyName = overlayConfig.trustedTypesPolicyName;
        }
        overlay = createOverlay(overlayOptions);
      }
    }
    return overlay;
  };

  const hideOverlay = (): void => {
    if (overlay) overlay.hide();
  };

  const showBuildProblems = (): void => {
    const errors = shown('errors', build.errors);
    const warnings = shown('warnings', build.warnings);
    if (errors.length || warnings.length) getOverlay()?.showBuildProblems(errors, warnings);
    else if (overlay?.state === 'build') overlay.hide();
  };

  // Other tools (and webpack-dev-server users) listen for these on the page.
  const post = (type: string, data?: unknown): void => {
    if (!win?.postMessage) return;
    try {
      win.postMessage({ type: `webpack${type}`, data }, '*');
    } catch {
      // uncloneable data: the message is a courtesy, not part of the protocol
    }
  };

  const reloadApp = (): void => {
    if (unloading) return;
    // The first hash after connecting is the bundle's own (or a concatenated
    // MultiCompiler hash containing it): nothing to update.
    if (currentHash.includes(previousHash)) return;
    const search = win?.location.search.toLowerCase() ?? '';
    const liveAllowed = liveReload && !search.includes('webpack-dev-server-live-reload=false');
    if (hot && !search.includes('webpack-dev-server-hot=false')) {
      logger.info('App hot update...');
      emitter.emit(BUILD_READY_EVENT, currentHash, readyAt);
      const heard = emitter.emit(HOT_UPDATE_EVENT, currentHash);
      if (win?.postMessage) win.postMessage(`${HOT_UPDATE_EVENT}${currentHash}`, '*');
      // Without a hot runtime in the bundle nothing would apply the build:
      // rather than leave a stale page, live reload when allowed.
      if (!heard && liveAllowed) {
        logger.info('No hot update runtime is listening. Reloading...');
        reload();
      }
      return;
    }
    if (liveAllowed) {
      logger.info('App updated. Reloading...');
      reload();
    }
  };

  const handle = (message: ServerMessage): void => {
    switch (message.type) {
      case 'hot':
        if (options.hot !== false) hot = true;
        break;
      case 'liveReload':
        if (options.liveReload !== false) liveReload = true;
        break;
      case 'progress':
        progress = message.data;
        break;
      case 'reconnect':
        socket?.setMaxAttempts(message.data);
        break;
      case 'overlay':
        overlayConfig = message.data;
        filters = new Map();
        if (overlayConfig === false) hideOverlay();
        break;
      case 'logging':
        logger.setLevel(message.data);
        break;
      case 'hash':
        previousHash = currentHash;
        currentHash = message.data;
        build = { errors: [], warnings: [] };
        break;
      case 'invalid':
        logger.info('App updated. Recompiling...');
        post('Invalid');
        break;
      case 'still-ok':
        logger.info('Nothing changed.');
        hideOverlay();
        post('StillOk');
        break;
      case 'ok':
        readyAt = now();
        hideOverlay();
        post('Ok');
        reloadApp();
        break;
      case 'warnings': {
        readyAt = now();
        build.warnings = message.data;
        logger.warn('Warnings while compiling.');
        for (const problem of message.data) logger.warn(formatProblem(problem));
        post('Warnings', message.data);
        showBuildProblems();
        if (!message.params?.preventReloading) reloadApp();
        break;
      }
      case 'errors':
        build.errors = message.data;
        logger.error('Errors while compiling. Reload prevented.');
        for (const problem of message.data) logger.error(formatProblem(problem));
        post('Errors', message.data);
        showBuildProblems();
        break;
      case 'progress-update': {
        const { percent, msg, pluginName } = message.data;
        if (progress) {
          logger.info(`${pluginName ? `[${pluginName}] ` : ''}${percent}% - ${msg}.`);
          if (typeof progress === 'string' && makeIndicator) {
            indicator ??= makeIndicator(progress);
            indicator.update(message.data);
          }
        }
        post('Progress', message.data);
        break;
      }
      case 'static-changed':
        logger.info(
          `${message.data ? `"${message.data}"` : 'Content'} from static directory was changed. Reloading...`,
        );
        reload();
        break;
      case 'error':
        logger.error(message.data);
        break;
      case 'hot-update':
        // The files of the build whose `ok` follows: the runtime keeps them for
        // webpack's HMR runtime, which then needs no request. Only sent when asked.
        emitter.emit(PUSHED_UPDATE_EVENT, message.data.hash, message.data.files);
        break;
      default: {
        const unknownType: never = message;
        logger.debug('Ignored a frame of unknown type', unknownType);
      }
    }
  };

  /** Handles one frame; returns its type, or undefined when it was ignored. */
  const receiveFrame = (data: unknown): ServerMessage['type'] | undefined => {
    const parsed = parseServerMessage(data, { maxBytes: maxFrameBytes });
    if (!parsed.ok) {
      logger.debug(`Ignored a frame: ${parsed.message}.`);
      return undefined;
    }
    handle(parsed.message);
    return parsed.message.type;
  };
  const receive = (data: unknown): void => {
    receiveFrame(data);
  };

  // Runtime errors: uncaught exceptions and unhandled rejections.
  // A runtimeErrors filter gets an Error, as webpack-dev-server 5's does
  // (a thrown non-Error is wrapped for it; the overlay shows the original).
  const showRuntimeError = (error: unknown, fallbackMessage: string): void => {
    const errorObject =
      error instanceof Error ? error : new Error(String(error || fallbackMessage));
    if (shown('runtimeErrors', [errorObject]).length === 0) return;
    getOverlay()?.showRuntimeError(error);
  };
  const onError = (event: ErrorEvent): void => {
    if (!overlayFilter('runtimeErrors')) return;
    const error: unknown = event.error ?? event.message;
    if (!error || isHandledByReact(error)) return;
    showRuntimeError(error, 'Unknown error');
  };
  const onRejection = (event: PromiseRejectionEvent): void => {
    if (!overlayFilter('runtimeErrors') || isHandledByReact(event.reason)) return;
    showRuntimeError(event.reason, 'Unknown promise rejection reason');
  };
  const onBeforeUnload = (): void => {
    unloading = true;
  };
  win?.addEventListener?.('error', onError as (event: never) => void);
  win?.addEventListener?.('unhandledrejection', onRejection as (event: never) => void);
  win?.addEventListener?.('beforeunload', onBeforeUnload as (event: never) => void);

  const socketUrl = options.socketUrl ?? createSocketUrl(options, getLocation(win, env));

  logger.info(describeStartup(options));

  let socket: ReconnectingSocket | undefined;
  socket = createReconnectingSocket({
    ...env.socket,
    url: socketUrl,
    transport: env.transport,
    logger,
    maxAttempts: options.reconnect ?? DEFAULT_RECONNECT_ATTEMPTS,
    // After the client, as webpack-dev-server's socket delivers to its own
    // handler first: tools listening on the socket (see ./wdsSocket) see the
    // frame once the client has acted on it. Not our pushed `hot-update`
    // frame: webpack-dev-server never sends one, and it can be a megabyte.
    onMessage: (data) => {
      if (receiveFrame(data) !== 'hot-update') emitter.emit(SOCKET_MESSAGE_EVENT, data);
    },
    onOpen: (send) => {
      emitter.emit(SOCKET_OPEN_EVENT);
      if (push) send(pushRequest);
    },
    onDisconnect: () => {
      logger.error('Disconnected!');
      hideOverlay();
      post('Close');
      emitter.emit(SOCKET_CLOSE_EVENT);
    },
  });

  return {
    receive,
    socketUrl,
    logger,
    close() {
      socket?.close();
      socket = undefined;
      win?.removeEventListener?.('error', onError as (event: never) => void);
      win?.removeEventListener?.('unhandledrejection', onRejection as (event: never) => void);
      win?.removeEventListener?.('beforeunload', onBeforeUnload as (event: never) => void);
      overlay?.destroy();
      indicator?.destroy();
    },
  };
}
