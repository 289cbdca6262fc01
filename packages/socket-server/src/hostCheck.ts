import { isIP } from 'node:net';

/**
 * `allowedHosts` as webpack-dev-server 5 takes it: `'auto'` (loopback, IP
 * literals, `localhost`, `*.localhost` and the configured host), `'all'` (no
 * check at all, at your own risk), or a list of host names where an entry
 * starting with a dot (`.example.com`) also allows every subdomain.
 */
export type AllowedHostsOption = 'auto' | 'all' | string | readonly string[];

/** What the Host/Origin checks need to know about the server. */
export interface HostCheckOptions {
  /** @default 'auto' */
  allowedHosts?: AllowedHostsOption;
  /** The host the server listens on (`devServer.host`); always allowed as a Host. */
  host?: string;
  /**
   * The hostname the browser client dials (`client.webSocketURL.hostname`);
   * allowed like an `allowedHosts` entry, as webpack-dev-server does.
   */
  webSocketHostname?: string;
}

/** The normalized form: `'all'`, or the list (`'auto'` is the empty list). */
export type NormalizedAllowedHosts = 'all' | readonly string[];

/** Request headers as Node gives them (`req.headers`), or any plain record of them. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The header a check reads: `host`, `origin` or HTTP/2's `:authority`. */
export type HostHeaderName = 'host' | 'origin' | ':authority';

// Origins a browser gives pages that are not on the network: local files and
// extension pages. webpack-dev-server lets them through, and so do we.
const LOCAL_PAGE_ORIGIN = /^(?:file|[^:]+-extension):/i;

/** A Host/:authority value is `hostname[:port]`: never a path, query, user info or whitespace. */
const NOT_AN_AUTHORITY = /[/\\?#@\s]/;

/**
 * `'auto'` → `[]`; a string → `[string]`; a list containing `'all'` → `'all'`
 * (webpack-dev-server's normalization). Entries are lowercased, as URL
 * parsing lowercases the header side.
 */
export function normalizeAllowedHosts(
  value: AllowedHostsOption | undefined,
): NormalizedAllowedHosts {
  if (value === undefined || value === 'auto') return [];
  if (value === 'all') return 'all';
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.includes('all')) return 'all';
  return list.filter((entry) => entry.length > 0).map((entry) => entry.toLowerCase());
}

/**
 * The normalized `allowedHosts` of an options object, computed once per object (and again
 * only if its `allowedHosts` is replaced): the checks run on every request and socket, with
 * the same options object each time.
 */
const normalizedByOptions = new WeakMap<
  HostCheckOptions,
  { source: HostCheckOptions['allowedHosts']; value: NormalizedAllowedHosts }
>();

function allowedHostsOf(options: HostCheckOptions): NormalizedAllowedHosts {
  const cached = normalizedByOptions.get(options);
  if (cached && cached.source === options.allowedHosts) return cached.value;
  const value = normalizeAllowedHosts(options.allowedHosts);
  normalizedByOptions.set(options, { source: options.allowedHosts, value });
  return value;
}

function firstHeader(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name];
  // Node joins most duplicate headers, but never Host; a list here is hostile.
  if (typeof value !== 'string') return undefined;
  return value;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * The hostname of a Host (`name:port`) or `:authority` value, lowercased,
 * IPv6 without brackets; `undefined` when the value is not a plain authority
 * (a path, user info, a bad port, an unparsable name). Never throws.
 */
export function parseHostHeader(value: string): string | undefined {
  if (value.length === 0 || NOT_AN_AUTHORITY.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return undefined;
  }
  if (url.hostname === '') return undefined;
  return stripBrackets(url.hostname);
}

/**
 * The hostname of an Origin header (`scheme://name[:port]`), lowercased, IPv6
 * without brackets; `undefined` for `null`, opaque or unparsable origins.
 * Never throws.
 */
export function parseOriginHeader(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return stripBrackets(url.hostname);
}

/**
 * Whether a hostname is explicitly allowed: `allowedHosts: 'all'`, an exact
 * entry, a `.example.com` entry (which matches `example.com` and any
 * subdomain), or the client's `webSocketHostname`. Loopback and IP literals
 * are not covered here; `isValidHost` adds them.
 */
export function isHostAllowed(hostname: string, options: HostCheckOptions = {}): boolean {
  const allowed = allowedHostsOf(options);
  if (allowed === 'all') return true;
  const name = hostname.toLowerCase();
  for (const entry of allowed) {
    if (entry === name) return true;
    if (entry.startsWith('.') && (name === entry.slice(1) || name.endsWith(entry))) return true;
  }
  return (
    options.webSocketHostname !== undefined && options.webSocketHostname.toLowerCase() === name
  );
}

const isLocalName = (hostname: string): boolean =>
  hostname === 'localhost' || hostname.endsWith('.localhost');

/**
 * webpack-dev-server 5's `isValidHost(headers, name)`: is the Host (or
 * `:authority`, or Origin) header one this server answers to? Allowed:
 * `allowedHosts` matches and, with `validateHost` (the default), any IP
 * literal, `localhost`, `*.localhost` and the configured `host`. An Origin of
 * a local file or a browser extension is allowed. A missing or malformed
 * header is refused. Never throws.
 */
export function isValidHost(
  headers: HeaderRecord,
  name: HostHeaderName,
  options: HostCheckOptions = {},
  validateHost = true,
): boolean {
  const isOrigin = name === 'origin';
  if (isOrigin && allowedHostsOf(options) === 'all') return true;
  const value = firstHeader(headers, name);
  if (!value) return false;
  if (isOrigin && LOCAL_PAGE_ORIGIN.test(value)) return true;
  const hostname = isOrigin ? parseOriginHeader(value) : parseHostHeader(value);
  if (hostname === undefined) return false;
  if (isHostAllowed(hostname, options)) return true;
  if (!validateHost) return false;
  return (
    isIP(hostname) !== 0 ||
    isLocalName(hostname) ||
    (options.host !== undefined && stripBrackets(options.host.toLowerCase()) === hostname)
  );
}

/**
 * webpack-dev-server 5's `isSameOrigin(headers)`, the check that closed
 * CVE-2025-30360: a WebSocket's Origin must name the same host as its Host
 * header, unless either is explicitly allowed. Without it a page served from
 * any IP address could open our socket (IP literals pass `isValidHost`) and
 * read every frame. No Origin is refused (browsers always send one on a
 * WebSocket); local files and extensions are allowed. Never throws.
 */
export function isSameOrigin(headers: HeaderRecord, options: HostCheckOptions = {}): boolean {
  if (allowedHostsOf(options) === 'all') return true;
  const originValue = firstHeader(headers, 'origin');
  if (!originValue) return false;
  if (LOCAL_PAGE_ORIGIN.test(originValue)) return true;
  const origin = parseOriginHeader(originValue);
  if (origin === undefined) return false;
  if (isHostAllowed(origin, options)) return true;
  const hostValue = firstHeader(headers, 'host') ?? firstHeader(headers, ':authority');
  if (!hostValue) return false;
  const host = parseHostHeader(hostValue);
  if (host === undefined) return false;
  if (isHostAllowed(host, options)) return true;
  return origin === host;
}

/** Why a socket connection was refused (`undefined` when it is accepted). */
export type ConnectionRefusal = 'invalid-host' | 'invalid-origin' | 'cross-origin';

/**
 * All three checks webpack-dev-server runs on a socket connection, in its
 * order: Host valid, Origin valid, Origin same as Host. Returns the first
 * failure, or `undefined` when the connection may proceed.
 */
export function checkConnectionHeaders(
  headers: HeaderRecord,
  options: HostCheckOptions = {},
): ConnectionRefusal | undefined {
  if (!isValidHost(headers, 'host', options)) return 'invalid-host';
  if (!isValidHost(headers, 'origin', options)) return 'invalid-origin';
  if (!isSameOrigin(headers, options)) return 'cross-origin';
  return undefined;
}

/** Options of `checkHttpRequest`: the host checks plus what decides the CORP header. */
export interface HttpRequestCheckOptions extends HostCheckOptions {
  /**
   * The user's response headers set `Access-Control-Allow-Origin: *`: they
   * opted into open cross-origin reads, so no `Cross-Origin-Resource-Policy`.
   * @default false
   */
  corsWildcard?: boolean;
}

/** The verdict for a plain HTTP request to the dev server. */
export type HttpRequestVerdict =
  | { allowed: false; status: 403; body: 'Invalid Host header' | 'Cross-Origin request blocked' }
  | {
      allowed: true;
      /** Set `Cross-Origin-Resource-Policy: same-origin` on the response. */
      crossOriginResourcePolicy: boolean;
    };

/** The 403 body for a request whose Host is refused. */
export const INVALID_HOST_BODY = 'Invalid Host header';
/** The 403 body for a cross-site `no-cors` request (a `<script src>` on another site). */
export const CROSS_ORIGIN_BLOCKED_BODY = 'Cross-Origin request blocked';

/**
 * The checks webpack-dev-server 5.2.x puts in front of every HTTP response,
 * as one function the dev-server can call:
 * 1. the Host (or HTTP/2 `:authority`) must pass `isValidHost`, else
 *    403 "Invalid Host header";
 * 2. a request whose Host is not explicitly allowed and that carries
 *    `Sec-Fetch-Mode: no-cors` + `Sec-Fetch-Site: cross-site` is another
 *    site's `<script src>` (CVE-2025-30359): 403 "Cross-Origin request blocked";
 * 3. otherwise the response gets `Cross-Origin-Resource-Policy: same-origin`
 *    (for browsers that send no Sec-Fetch headers, GHSA-79cf-xcqc-c78w),
 *    unless the Host is explicitly allowed, `allowedHosts` is `'all'`, or the
 *    user set `Access-Control-Allow-Origin: *`.
 * Never throws.
 */
export function checkHttpRequest(
  headers: HeaderRecord,
  options: HttpRequestCheckOptions = {},
): HttpRequestVerdict {
  const name: HostHeaderName = firstHeader(headers, ':authority') ? ':authority' : 'host';
  if (!isValidHost(headers, name, options)) {
    return { allowed: false, status: 403, body: INVALID_HOST_BODY };
  }
  if (isValidHost(headers, name, options, false)) {
    return { allowed: true, crossOriginResourcePolicy: false };
  }
  if (
    firstHeader(headers, 'sec-fetch-mode') === 'no-cors' &&
    firstHeader(headers, 'sec-fetch-site') === 'cross-site'
  ) {
    return { allowed: false, status: 403, body: CROSS_ORIGIN_BLOCKED_BODY };
  }
  const open = allowedHostsOf(options) === 'all' || options.corsWildcard === true;
  return { allowed: true, crossOriginResourcePolicy: !open };
}
