import { readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative, resolve, sep } from 'node:path';
import {
  checkHttpRequest,
  type HostCheckOptions,
  isSameOrigin,
  type NormalizedAllowedHosts,
} from '@hmrkit/socket-server';
import historyApiFallback from 'connect-history-api-fallback';
import sirv from 'sirv';
import type { Middleware } from './chain';
import { DevServerError, invalidOption } from './errors';
import type { HeadersOption, NormalizedStatic } from './options';

/** Whether the request reads (GET/HEAD), the only methods built-in routes answer. */
export function isReadRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The headers `devServer.headers` sets for this request, as a list of pairs. */
export function resolveHeaders(
  option: HeadersOption | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  context: unknown,
): Array<[string, string | string[]]> {
  return toHeaderPairs(typeof option === 'function' ? option(req, res, context) : option);
}

/** An object or a `{key, value}` list of headers as pairs; anything else as none. */
function toHeaderPairs(value: unknown): Array<[string, string | string[]]> {
  if (Array.isArray(value)) {
    return value
      .filter(
        (entry): entry is { key: string; value: string } =>
          typeof entry === 'object' && entry !== null && typeof entry.key === 'string',
      )
      .map((entry) => [entry.key, String(entry.value)]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value as Record<string, unknown>).map(([key, v]) => [
      key,
      Array.isArray(v) ? v.map(String) : String(v),
    ]);
  }
  return [];
}

/** Whether the user's headers open the server to every origin (then no CORP header). */
function hasCorsWildcard(headers: Array<[string, string | string[]]>): boolean {
  return headers.some(
    ([key, value]) => key.toLowerCase() === 'access-control-allow-origin' && value === '*',
  );
}

/**
 * The Host check and the cross-origin checks of webpack-dev-server 5.2.6, in
 * front of everything else (socket-server's `checkHttpRequest`), then the
 * user's `headers`.
 */
export function createSecurityMiddleware(
  checkOptions: HostCheckOptions,
  headersOption: HeadersOption | undefined,
  getContext: () => unknown,
): Middleware {
  // Headers given as data are read once; only a headers function runs per request.
  const fixedHeaders =
    typeof headersOption === 'function' ? undefined : toHeaderPairs(headersOption);
  const fixedCheck = fixedHeaders && {
    ...checkOptions,
    corsWildcard: hasCorsWildcard(fixedHeaders),
  };
  return (req, res, next) => {
    const headers = fixedHeaders ?? resolveHeaders(headersOption, req, res, getContext());
    const verdict = checkHttpRequest(
      req.headers,
      fixedCheck ?? { ...checkOptions, corsWildcard: hasCorsWildcard(headers) },
    );
    if (!verdict.allowed) {
      sendText(res, verdict.status, verdict.body);
      return;
    }
    if (verdict.crossOriginResourcePolicy) {
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    for (const [key, value] of headers) res.setHeader(key, value);
    next();
  };
}

/**
 * Routes that act (`/webpack-dev-server/invalidate`) answer only the page
 * itself: `Sec-Fetch-Site` same-origin or none, or no Origin at all (curl),
 * or a same-origin Origin (GHSA-f5vj-f2hx-8m93).
 */
export function isSameSiteRequest(
  req: IncomingMessage,
  allowedHosts: NormalizedAllowedHosts | 'auto' | string[],
): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  if (req.headers.origin === undefined) return true;
  return isSameOrigin(req.headers, { allowedHosts: allowedHosts as string[] });
}

const STATIC_OPTION_KEYS = new Set([
  'dotfiles',
  'etag',
  'extensions',
  'immutable',
  'index',
  'maxAge',
  'redirect',
  'fallthrough',
]);

/** Parses express.static's maxAge (ms number or "1d"/"2h"/...) to seconds for sirv. */
function parseMaxAge(value: unknown, path: string): number {
  if (typeof value === 'number' && value >= 0) return Math.floor(value / 1000);
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|y)?$/.exec(value.trim());
    if (match) {
      const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, y: 31557600 }[
        (match[2] ?? 'ms') as 'ms'
      ];
      return Math.floor(Number(match[1]) * unit);
    }
  }
  throw invalidOption(path, 'milliseconds or a duration like "1d"', value);
}

/**
 * One `static` folder, as express.static would serve it: GET/HEAD, index.html
 * for folders, no dotfiles, ETags, no caching by default. `staticOptions`
 * supports express.static's dotfiles, etag, extensions, immutable, maxAge
 * (plus index, redirect and fallthrough at their defaults).
 */
export function createStaticMiddleware(item: NormalizedStatic, index: number): Middleware {
  const options = item.staticOptions;
  const path = `static[${index}].staticOptions`;
  for (const key of Object.keys(options)) {
    if (!STATIC_OPTION_KEYS.has(key)) {
      throw new DevServerError(
        'UNSUPPORTED_OPTION',
        `Unsupported option: devServer.${path}.${key} (supported: ${[...STATIC_OPTION_KEYS].join(', ')}).`,
      );
    }
  }
  for (const key of ['index', 'redirect', 'fallthrough'] as const) {
    const v = options[key];
    if (v !== undefined && v !== true && !(key === 'index' && v === 'index.html')) {
      throw new DevServerError(
        'UNSUPPORTED_OPTION',
        `Unsupported option: devServer.${path}.${key}: only the default is supported.`,
      );
    }
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  if (dotfiles !== 'ignore' && dotfiles !== 'allow' && dotfiles !== 'deny') {
    throw invalidOption(`${path}.dotfiles`, '"allow", "deny" or "ignore"', dotfiles);
  }
  const extensions = options.extensions;
  if (
    extensions !== undefined &&
    extensions !== false &&
    !(Array.isArray(extensions) && extensions.every((e) => typeof e === 'string'))
  ) {
    throw invalidOption(`${path}.extensions`, 'false or a list of extensions', extensions);
  }
  const serve = sirv(item.directory, {
    // dev: read the folder on every request, so edits show without a restart.
    dev: true,
    etag: options.etag !== false,
    dotfiles: dotfiles === 'allow',
    // sirv also finds a folder's index.html through these, so html stays in the list.
    extensions: [
      ...new Set([...(Array.isArray(extensions) ? (extensions as string[]) : []), 'html', 'htm']),
    ],
    maxAge:
      options.maxAge === undefined ? undefined : parseMaxAge(options.maxAge, `${path}.maxAge`),
    immutable: options.immutable === true,
  } as Parameters<typeof sirv>[1]);
  return (req, res, next) => {
    if (!isReadRequest(req)) {
      next();
      return;
    }
    if (dotfiles === 'deny' && /(?:^|\/)\.[^/]/.test(decodePath(req.url ?? '/'))) {
      sendText(res, 403, 'Forbidden');
      return;
    }
    serve(req, res, () => next());
  };
}

function decodePath(url: string): string {
  const pathname = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** Escapes text for HTML bodies and attributes (listings, error pages). */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/**
 * `serveIndex`: an HTML listing for a static folder without index.html.
 * Names are escaped, dotfiles hidden, and the path is contained in the folder.
 */
export function createServeIndexMiddleware(directory: string): Middleware {
  const root = resolve(directory);
  return async (req, res, next) => {
    if (!isReadRequest(req)) return next();
    const pathname = decodePath(req.url ?? '/');
    if (pathname.includes('\0')) return next();
    const target = resolve(root, `.${pathname}`);
    if (target !== root && !target.startsWith(root + sep)) return next();
    try {
      const info = await stat(target);
      if (!info.isDirectory()) return next();
      if (!pathname.endsWith('/')) {
        res.statusCode = 301;
        res.setHeader('Location', `${(req.url ?? '/').split('?')[0]}/`);
        res.end();
        return;
      }
      const entries = (await readdir(target, { withFileTypes: true }))
        .filter((entry) => !entry.name.startsWith('.'))
        .sort(
          (a, b) =>
            Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name),
        );
      const title = `/${relative(root, target).split(sep).join('/')}`.replace(/\/$/, '') || '/';
      const items = entries
        .map((entry) => {
          const name = entry.isDirectory() ? `${entry.name}/` : entry.name;
          return `<li><a href="${escapeHtml(encodeURIComponent(entry.name))}${entry.isDirectory() ? '/' : ''}">${escapeHtml(name)}</a></li>`;
        })
        .join('\n');
      const parent = pathname === '/' ? '' : '<li><a href="../">../</a></li>\n';
      const body = `<!doctype html>\n<html><head><meta charset="utf-8"><title>Index of ${escapeHtml(title)}</title></head>\n<body><h1>Index of ${escapeHtml(title)}</h1>\n<ul>\n${parent}${items}\n</ul></body></html>\n`;
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      next();
    }
  };
}

/** `historyApiFallback`: rewrites page navigations to /index.html (connect-history-api-fallback). */
export function createHistoryFallbackMiddleware(
  options: Record<string, unknown>,
  logger: { log(...args: unknown[]): void },
): Middleware {
  const fallback = historyApiFallback({
    logger: (...args: unknown[]) => logger.log(...args),
    ...options,
  } as historyApiFallback.Options);
  return (req, res, next) =>
    fallback(req as Parameters<typeof fallback>[0], res as Parameters<typeof fallback>[1], () =>
      next(),
    );
}

/** The final answer to a request no middleware took: express's 404 text, or a 500. */
export function finalHandler(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: { error(...args: unknown[]): void },
): void {
  if (error !== undefined) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendText(res, 500, 'Internal Server Error');
    return;
  }
  if (res.headersSent) return;
  if (req.method === 'OPTIONS') {
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const path = escapeHtml((req.url ?? '/').split('?')[0] ?? '/');
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${escapeHtml(req.method ?? 'GET')} ${path}</pre>\n</body>\n</html>\n`;
  res.statusCode = 404;
  res.setHeader('Content-Security-Policy', "default-src 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
