import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkHttpRequest, type HostCheckOptions, isSameOrigin } from '@hmrkit/socket-server';
import type { Middleware } from '../chain';
import type { HeadersOption, NormalizedOptions } from '../options';
import { sendText } from './request';

/**
 * What the Host/Origin checks allow, for HTTP requests and the HMR socket alike:
 * `allowedHosts`, the host the server listens on, and `client.webSocketURL.hostname`
 * (which a page may be told to connect to, so it is allowed like an allowedHosts entry).
 */
export function createHostCheckOptions(
  options: NormalizedOptions,
  host: string | undefined,
): HostCheckOptions {
  const hostname = options.client === false ? undefined : options.client.webSocketURL.hostname;
  return {
    allowedHosts: options.allowedHosts,
    ...(host === undefined ? {} : { host }),
    ...(hostname ? { webSocketHostname: hostname } : {}),
  };
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
  // Both variants made once, so the checks' normalized allowedHosts is computed once too.
  const withCors = { ...checkOptions, corsWildcard: true };
  const withoutCors = { ...checkOptions, corsWildcard: false };
  return (req, res, next) => {
    const headers = fixedHeaders ?? resolveHeaders(headersOption, req, res, getContext());
    const verdict = checkHttpRequest(
      req.headers,
      hasCorsWildcard(headers) ? withCors : withoutCors,
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
export function isSameSiteRequest(req: IncomingMessage, checkOptions: HostCheckOptions): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  if (req.headers.origin === undefined) return true;
  return isSameOrigin(req.headers, checkOptions);
}
