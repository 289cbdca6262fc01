import {
  BUILD_READY_EVENT,
  HOT_UPDATE_EVENT,
  type HotEmitter,
  hotEmitter,
} from '@hmrkit/hot-emitter';
import { createUpdateDriver, type RuntimeMode, type UpdateDriver } from './driver';
import { getResourceQuery, getWebpackHash, getWebpackHot } from './env';
import { HotDisabledError } from './errors';
import type { WebpackHot } from './hot';
import { type ConsoleLike, createHmrLogger, type HmrLogLevel, normalizeLogLevel } from './log';
import {
  getWebpackRequire,
  installPushedUpdates,
  type PushedUpdates,
  type WebpackRequireLike,
} from './push';

export interface RuntimeOptions {
  /** @default 'hot' */
  mode?: RuntimeMode;
  /** @default 'info' */
  logging?: HmrLogLevel;
  /** @default import.meta.webpackHot of this package */
  hot?: WebpackHot;
  /** @default the page's hotEmitter */
  emitter?: HotEmitter;
  /** @default () => __webpack_hash__ */
  currentHash?: () => string;
  /** @default location.reload() in a window; nothing elsewhere */
  reload?: () => void;
  console?: ConsoleLike;
  /**
   * Apply hot updates the server pushed over the socket without fetching them
   * (see `installPushedUpdates`); files not pushed are fetched as before.
   * @default true
   */
  push?: boolean;
  /** @default the bundle's __webpack_require__ */
  webpackRequire?: WebpackRequireLike;
}

export interface RuntimeQuery {
  mode?: RuntimeMode;
  logging?: HmrLogLevel;
}

/** Reads `?mode=only&logging=warning` (the runtime entry's resource query). */
export function parseRuntimeQuery(query: string): RuntimeQuery {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const result: RuntimeQuery = {};
  const mode = params.get('mode');
  if (mode === 'hot' || mode === 'only') result.mode = mode;
  const logging = normalizeLogLevel(params.get('logging') ?? undefined);
  if (logging) result.logging = logging;
  return result;
}

function defaultReload(): (() => void) | undefined {
  if (typeof window === 'undefined' || typeof window.location === 'undefined') return undefined;
  return () => window.location.reload();
}

export interface HotRuntime {
  driver: UpdateDriver;
  /** The push hooks, when the bundle has webpack's JSONP HMR runtime and `push` is on. */
  push: PushedUpdates | undefined;
  /** Stops listening for build signals. */
  stop(): void;
}

/**
 * Starts the browser update driver: listens for `webpackHotUpdate` on the hot
 * emitter and checks/applies each new build. Throws `HotDisabledError` when
 * the bundle has no HMR runtime, as webpack's hot/dev-server does.
 */
export function startHotRuntime(options: RuntimeOptions = {}): HotRuntime {
  const hot = options.hot ?? getWebpackHot();
  if (!hot) throw new HotDisabledError();
  const logger = createHmrLogger(options.logging ?? 'info', options.console ?? console);
  const emitter = options.emitter ?? hotEmitter;
  const reload = options.reload ?? defaultReload();
  const driver = createUpdateDriver({
    hot,
    mode: options.mode ?? 'hot',
    currentHash: options.currentHash ?? getWebpackHash,
    logger,
    ...(reload ? { reload } : {}),
  });
  const webpackRequire = options.webpackRequire ?? getWebpackRequire();
  const push =
    options.push !== false && webpackRequire
      ? installPushedUpdates({ require: webpackRequire, emitter, logger })
      : undefined;
  let ready: { hash: string; at: number } | undefined;
  const offReady = emitter.on(BUILD_READY_EVENT, (hash: unknown, at: unknown) => {
    if (typeof hash === 'string' && typeof at === 'number') ready = { hash, at };
  });
  const offUpdate = emitter.on(HOT_UPDATE_EVENT, (hash) => {
    driver.notify(hash, ready?.hash === hash ? ready.at : undefined);
  });
  logger.info('Waiting for update signal from WDS...');
  return {
    driver,
    push,
    stop: () => {
      push?.uninstall();
      offReady();
      offUpdate();
    },
  };
}

/** `startHotRuntime` with options from the entry's resource query. */
export function startFromResourceQuery(overrides: RuntimeOptions = {}): HotRuntime {
  return startHotRuntime({ ...parseRuntimeQuery(getResourceQuery()), ...overrides });
}
