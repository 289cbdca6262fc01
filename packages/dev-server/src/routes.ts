import type { IncomingMessage, ServerResponse } from 'node:http';
import { getChildStats, type MemfsMiddleware } from '@hmrkit/memfs-middleware';
import type { MultiStats, Stats } from 'webpack';
import { decorateResponse } from './app';
import { composeMiddlewares, type Middleware, type NamedMiddleware } from './chain';
import { createCompressMiddleware } from './compress';
import { DevServerError } from './errors';
import { finalHandler } from './middlewares/finalHandler';
import { createHistoryFallbackMiddleware } from './middlewares/historyFallback';
import { escapeHtml, isReadRequest, sendText } from './middlewares/request';
import {
  createHostCheckOptions,
  createSecurityMiddleware,
  isSameSiteRequest,
} from './middlewares/security';
import { createServeIndexMiddleware } from './middlewares/serveIndex';
import { createStaticMiddleware } from './middlewares/static';
import { openInEditor } from './openEditor';
import type { NormalizedOptions } from './options';

export interface RoutesContext {
  options: NormalizedOptions;
  /** The host the server listens on (allowed by the Host check). */
  host: string | undefined;
  middleware: MemfsMiddleware;
  /** `proxy` entries, in order. */
  proxies: readonly Middleware[];
  /** `/webpack-dev-server/invalidate`: rebuild. */
  invalidate(): void;
  logger: {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  };
}

/**
 * The middleware list `setupMiddlewares` receives, in webpack-dev-server's
 * order and with its names: Host/Origin checks and headers, compression, the
 * bundle, the built-in /webpack-dev-server routes, proxies, static folders,
 * the history fallback (then the bundle and static folders again, for the
 * rewritten URL), and directory listings.
 */
export function createRoutes(context: RoutesContext): NamedMiddleware[] {
  const { options, middleware } = context;
  const dev: Middleware = (req, res, next) => middleware(req, res, next);
  const list: NamedMiddleware[] = [
    {
      name: 'host-header-check',
      middleware: createSecurityMiddleware(
        createHostCheckOptions(options, context.host),
        options.headers,
        () => middleware.context,
      ),
    },
  ];
  if (options.compress) list.push({ name: 'compression', middleware: createCompressMiddleware() });
  list.push({ name: 'webpack-dev-middleware', middleware: dev });
  list.push(
    createActionRoute('webpack-dev-server-invalidate', options, () => context.invalidate()),
    createActionRoute('webpack-dev-server-open-editor', options, (url) => {
      const fileName = url.searchParams.get('fileName');
      if (fileName) openInEditor(fileName, context.logger);
    }),
  );
  list.push({
    name: 'webpack-dev-server-assets',
    path: '/webpack-dev-server',
    middleware: (req, res, next) => {
      if (!isReadRequest(req) || (req.url !== '/' && req.url !== '')) return next();
      middleware.waitUntilValid((stats) => {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(req.method === 'HEAD' ? undefined : renderAssetList(stats));
      });
    },
  });
  for (const proxy of context.proxies) {
    list.push({ name: 'http-proxy-middleware', middleware: proxy });
  }
  // Again after the proxies, as webpack-dev-server 5 does: a path a `bypass` returned is
  // served from the bundle.
  if (context.proxies.length > 0) list.push({ name: 'webpack-dev-middleware', middleware: dev });
  const statics: NamedMiddleware[] = [];
  options.static.forEach((item, index) => {
    const serve = createStaticMiddleware(item, index, context.logger);
    for (const publicPath of item.publicPath) {
      statics.push({ name: 'express-static', path: publicPath, middleware: serve });
    }
  });
  list.push(...statics);
  if (options.historyApiFallback) {
    list.push({
      name: 'connect-history-api-fallback',
      middleware: createHistoryFallbackMiddleware(options.historyApiFallback, context.logger),
    });
    // The rewritten URL (/index.html) is served by the bundle or a static folder.
    list.push({ name: 'webpack-dev-middleware', middleware: dev });
    list.push(...statics);
  }
  for (const item of options.static) {
    if (!item.serveIndex) continue;
    const listing = createServeIndexMiddleware(item.directory, item.staticOptions);
    for (const publicPath of item.publicPath) {
      list.push({ name: 'serve-index', path: publicPath, middleware: listing });
    }
  }
  return list;
}

/**
 * A built-in route that acts (`/webpack-dev-server/invalidate`, `/open-editor`):
 * GET/HEAD only, and only for the page itself (GHSA-f5vj-f2hx-8m93:
 * `Sec-Fetch-Site` same-origin/none, else an Origin naming the Host, or no
 * Origin), else 403 "Cross-Origin request blocked" as webpack-dev-server answers.
 */
function createActionRoute(
  name: 'webpack-dev-server-invalidate' | 'webpack-dev-server-open-editor',
  options: NormalizedOptions,
  act: (url: URL) => void,
): NamedMiddleware {
  // Made once, so the check's normalized allowedHosts is computed once too.
  const sameSiteCheck = { allowedHosts: options.allowedHosts };
  return {
    name,
    path: `/webpack-dev-server/${name.slice('webpack-dev-server-'.length)}`,
    middleware: (req, res, next) => {
      if (!isReadRequest(req)) return next();
      if (!isSameSiteRequest(req, sameSiteCheck)) {
        sendText(res, 403, 'Cross-Origin request blocked');
        return;
      }
      act(new URL(req.url ?? '/', 'http://localhost'));
      res.end();
    },
  };
}

export interface ComposeContext {
  /** `devServer.setupMiddlewares`, called with the list and the server. */
  setupMiddlewares: NormalizedOptions['setupMiddlewares'];
  devServer: unknown;
  /** `devServer.app`'s routes, which run right after the Host check. */
  app: Middleware;
  logger: { error(...args: unknown[]): void };
}

/**
 * The request listener: the list after `setupMiddlewares`, with the app's
 * routes right after the Host check (webpack-dev-server runs them first of
 * all), ending in the 404/500 handler. Every response gets express's helpers.
 */
export function composeRoutes(
  routes: NamedMiddleware[],
  context: ComposeContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const list = context.setupMiddlewares
    ? (context.setupMiddlewares(routes, context.devServer) as Array<NamedMiddleware | Middleware>)
    : routes;
  if (!Array.isArray(list)) {
    throw new DevServerError(
      'INVALID_OPTION',
      'Invalid options: devServer.setupMiddlewares should return the list of middlewares.',
    );
  }
  const ordered: Array<NamedMiddleware | Middleware> = [...list];
  const checkIndex = ordered.findIndex(
    (entry) => typeof entry !== 'function' && entry.name === 'host-header-check',
  );
  ordered.splice(checkIndex + 1, 0, { name: 'app', middleware: context.app });
  const handle = composeMiddlewares(ordered, (req, res, error) =>
    finalHandler(req, res, error, context.logger),
  );
  return (req, res) => handle(req, decorateResponse(res));
}

/** `/webpack-dev-server`: the assets of the current build, linked. */
function renderAssetList(stats: Stats | MultiStats): string {
  const items: string[] = [];
  for (const child of getChildStats(stats)) {
    const json = child.toJson({ all: false, assets: true, publicPath: true });
    const publicPath = json.publicPath && json.publicPath !== 'auto' ? json.publicPath : '/';
    for (const asset of json.assets ?? []) {
      const href = `${publicPath.endsWith('/') ? publicPath : `${publicPath}/`}${asset.name}`;
      items.push(`<li><a href="${escapeHtml(encodeURI(href))}">${escapeHtml(asset.name)}</a></li>`);
    }
  }
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Assets</title></head><body><h1>Assets</h1><ul>${items.join('')}</ul></body></html>\n`;
}
