import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { deprecate } from 'node:util';
import type { Middleware } from './chain';
import { invalidOption } from './errors';
import { finalHandler } from './middlewares/finalHandler';
import { requireOptionalPeer } from './peers';

type ProxyMiddleware = Middleware & {
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
};

interface ProxyModule {
  createProxyMiddleware: (...args: unknown[]) => ProxyMiddleware;
  /** http-proxy-middleware 3 keeps the v2 call shape here. */
  legacyCreateProxyMiddleware?: (...args: unknown[]) => ProxyMiddleware;
}

/** What http-proxy-middleware is for, in the message when it is missing. */
export const PROXY_PURPOSE = 'devServer.proxy';

function loadProxyModule(fromDir: string): ProxyModule {
  return requireOptionalPeer<ProxyModule>('http-proxy-middleware', fromDir, PROXY_PURPOSE, 'proxy');
}

/**
 * The checks of one proxy config that do not need a request: run by normalizeOptions
 * for the listed entries, and per request for what a function entry returns.
 */
export function validateProxyEntry(config: Record<string, unknown>, index: number): void {
  const { context, path, bypass } = config;
  if (bypass !== undefined && typeof bypass !== 'function') {
    throw invalidOption(`proxy[${index}].bypass`, 'a function (req, res, proxyConfig)', bypass);
  }
  const filter = context ?? path;
  if (
    filter !== undefined &&
    typeof filter !== 'string' &&
    typeof filter !== 'function' &&
    !(Array.isArray(filter) && filter.every((f) => typeof f === 'string'))
  ) {
    throw invalidOption(`proxy[${index}].context`, 'a path, a list of paths or a function', filter);
  }
}

/**
 * webpack-dev-server 5's own deprecation, word for word and with its code, so a config moving
 * over prints what it printed there. Node prints a code's warning once per process.
 */
export const BYPASS_DEPRECATION = {
  code: 'DEP_WEBPACK_DEV_SERVER_PROXY_BYPASS_ARGUMENT',
  message:
    "Using the 'bypass' option is deprecated. Please use the 'router' or 'context' options. Read more at https://github.com/chimurai/http-proxy-middleware/tree/v2.0.6#http-proxy-middleware-options",
} as const;

type Bypass = (
  req: IncomingMessage,
  res: ServerResponse,
  config: Record<string, unknown>,
) => unknown;

/**
 * `proxy[].bypass(req, res, proxyConfig)` as webpack-dev-server 5 runs it, before the entry's
 * path filter, on every request that reaches the entry (it may return a Promise): a boolean
 * answers 404 at once (nothing after it serves the request); a string
 * replaces `req.url` and the request goes on to the bundle and static folders; anything
 * else proxies as usual. An entry with a `bypass` needs no `target`.
 */
function withBypass(
  config: Record<string, unknown>,
  proxy: ProxyMiddleware | undefined,
  options: { logger: { error(...args: unknown[]): void } },
): Middleware {
  const bypass = config.bypass as Bypass | undefined;
  if (!bypass) return proxy ?? ((_req, _res, next) => next());
  return async (req, res, next) => {
    deprecate(() => {}, BYPASS_DEPRECATION.message, BYPASS_DEPRECATION.code)();
    const result = await bypass(req, res, config);
    if (typeof result === 'boolean') {
      // webpack-dev-server empties req.url, which makes express's router skip every later
      // middleware and answer its 404 page: the same page, at once.
      req.url = '';
      return finalHandler(req, res, undefined, options.logger);
    }
    if (typeof result === 'string') {
      req.url = result;
      return next();
    }
    return proxy ? proxy(req, res, next) : next();
  };
}

export interface ProxySetup {
  middlewares: Middleware[];
  /** Forwards a WebSocket upgrade to the `ws: true` proxies; false if none took it. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

type ProxyEntry = Record<string, unknown> | ((...args: unknown[]) => unknown);

/**
 * `devServer.proxy` through http-proxy-middleware (2 or 3, an optional peer),
 * with webpack-dev-server 5's config shape: `context` (or `path`) filters,
 * `target` or `router` required, function entries called per request.
 *
 * `ws: true` is kept away from http-proxy-middleware's own upgrade
 * subscription (it would take every matching upgrade, our HMR socket too,
 * GHSA-mx8g-39q3-5c79); the dev-server offers upgrades to the proxies itself,
 * after its socket path, which the proxies never see.
 */
export function createProxySetup(
  entries: readonly ProxyEntry[],
  options: {
    context: string;
    logger: { warn(message: string): void; error(...args: unknown[]): void };
  },
): ProxySetup {
  if (entries.length === 0) return { middlewares: [], upgrade: () => false };
  const module = loadProxyModule(options.context);
  const create = module.legacyCreateProxyMiddleware ?? module.createProxyMiddleware;

  const build = (config: Record<string, unknown>, index: number): ProxyMiddleware | undefined => {
    if (config.target === undefined && config.router === undefined) {
      // A bypass-only entry is fine (webpack-dev-server 5 runs its bypass with no proxy).
      if (config.bypass === undefined) {
        options.logger.warn(
          `devServer.proxy[${index}] has neither "target" nor "router": skipped.`,
        );
      }
      return undefined;
    }
    validateProxyEntry(config, index);
    const { context, path, bypass: _bypass, ...rest } = config;
    const filter = context ?? path;
    const proxyOptions = { ...rest, ws: false, logLevel: rest.logLevel ?? 'warn' };
    return (
      filter === undefined ? create(proxyOptions) : create(filter, proxyOptions)
    ) as ProxyMiddleware;
  };

  const middlewares: Middleware[] = [];
  const socketProxies: ProxyMiddleware[] = [];
  entries.forEach((entry, index) => {
    if (typeof entry === 'function') {
      // Evaluated per request, as webpack-dev-server does; the result may change.
      const cache = new WeakMap<object, Middleware>();
      middlewares.push((req, res, next) => {
        const config = entry(req, res, next);
        if (typeof config !== 'object' || config === null) return next();
        const record = config as Record<string, unknown>;
        if (!cache.has(config)) {
          validateProxyEntry(record, index);
          cache.set(config, withBypass(record, build(record, index), options));
        }
        return (cache.get(config) as Middleware)(req, res, next);
      });
      return;
    }
    const middleware = build(entry, index);
    if (!middleware && entry.bypass === undefined) return;
    middlewares.push(withBypass(entry, middleware, options));
    if (entry.ws === true && middleware?.upgrade) socketProxies.push(middleware);
  });

  return {
    middlewares,
    upgrade(req, socket, head) {
      if (socketProxies.length === 0) return false;
      // Each applies its own path filter, as with webpack-dev-server's one listener per proxy.
      for (const candidate of socketProxies) candidate.upgrade?.(req, socket, head);
      return true;
    },
  };
}
