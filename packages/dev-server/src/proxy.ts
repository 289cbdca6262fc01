import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Middleware } from './chain';
import { invalidOption, unsupportedOption } from './errors';
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
  if (bypass !== undefined) {
    throw unsupportedOption(
      `proxy[${index}].bypass`,
      '(deprecated in webpack-dev-server 5); use a middleware in setupMiddlewares instead',
    );
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
  options: { context: string; logger: { warn(message: string): void } },
): ProxySetup {
  if (entries.length === 0) return { middlewares: [], upgrade: () => false };
  const module = loadProxyModule(options.context);
  const create = module.legacyCreateProxyMiddleware ?? module.createProxyMiddleware;

  const build = (config: Record<string, unknown>, index: number): ProxyMiddleware | undefined => {
    if (config.target === undefined && config.router === undefined) {
      options.logger.warn(`devServer.proxy[${index}] has neither "target" nor "router": skipped.`);
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
      const cache = new WeakMap<object, ProxyMiddleware | undefined>();
      middlewares.push((req, res, next) => {
        const config = entry(req, res, next);
        if (typeof config !== 'object' || config === null) return next();
        if (!cache.has(config)) cache.set(config, build(config as Record<string, unknown>, index));
        const middleware = cache.get(config);
        return middleware ? middleware(req, res, next) : next();
      });
      return;
    }
    const middleware = build(entry, index);
    if (!middleware) return;
    middlewares.push(middleware);
    if (entry.ws === true && middleware.upgrade) socketProxies.push(middleware);
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
