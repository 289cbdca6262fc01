import { DEFAULT_SOCKET_PATH, LOG_LEVELS } from './constants';
import type { LogLevel, OverlayOptions, ProgressOption } from './messages';

/**
 * The options a client entry carries in its resource query, under the keys
 * webpack-dev-server uses (`live-reload` on the wire is `liveReload` here).
 */
export interface ClientEntryOptions {
  protocol?: string;
  username?: string;
  password?: string;
  hostname?: string;
  port?: string | number;
  pathname?: string;
  logging?: LogLevel;
  progress?: ProgressOption;
  overlay?: boolean | OverlayOptions;
  /** Attempts; `Infinity` for `true`, `0` for `false`. */
  reconnect?: number;
  hot?: boolean | 'only';
  liveReload?: boolean;
}

/** What a client reads back from its entry query (or from its own script URL). */
export interface ParsedClientOptions extends Omit<ClientEntryOptions, 'port'> {
  port?: string;
  /** True when the options came from the `<script src>` URL, not a query. */
  fromCurrentScript?: boolean;
}

/** The key order webpack-dev-server writes (`addAdditionalEntries`). */
const QUERY_KEYS = [
  'protocol',
  'username',
  'password',
  'hostname',
  'port',
  'pathname',
  'logging',
  'progress',
  'overlay',
  'reconnect',
  'hot',
  'live-reload',
] as const;

type QueryKey = (typeof QUERY_KEYS)[number];

function queryValue(options: ClientEntryOptions, key: QueryKey): string | undefined {
  switch (key) {
    case 'protocol':
    case 'username':
    case 'password':
    case 'hostname':
    case 'pathname':
    case 'logging':
      return options[key];
    case 'port':
      return options.port === undefined ? undefined : String(options.port);
    case 'progress':
      return options.progress === undefined ? undefined : String(options.progress);
    case 'overlay':
      if (options.overlay === undefined) return undefined;
      return typeof options.overlay === 'boolean'
        ? String(options.overlay)
        : JSON.stringify(options.overlay);
    case 'reconnect':
      return options.reconnect === undefined ? undefined : String(options.reconnect);
    case 'hot':
      return options.hot === undefined ? undefined : String(options.hot);
    case 'live-reload':
      return options.liveReload === undefined ? undefined : String(options.liveReload);
    default: {
      const unknownKey: never = key;
      return unknownKey;
    }
  }
}

/**
 * The client entry query (without `?`), byte-identical to the one
 * webpack-dev-server 5 builds for the same options: URLSearchParams encoding,
 * keys in its order, absent options left out.
 */
export function encodeClientQuery(options: ClientEntryOptions): string {
  const params = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = queryValue(options, key);
    if (value !== undefined) params.set(key, value);
  }
  return params.toString();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function parseOverlay(value: string): boolean | OverlayOptions | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'boolean') return parsed;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as OverlayOptions;
    }
  } catch {
    // fall through: an unreadable overlay value is ignored, as a missing one
  }
  return undefined;
}

/**
 * Reads a client entry query (`__resourceQuery`, with or without `?`). Never
 * throws: unreadable values are left out. Flags follow webpack-dev-server's
 * client: `hot`, `live-reload` and `progress` are on only when the value says so.
 */
export function parseClientQuery(query: string): ParsedClientOptions {
  const options: ParsedClientOptions = {};
  const text = query.startsWith('?') ? query.slice(1) : query;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1));
    switch (key) {
      case 'protocol':
      case 'username':
      case 'password':
      case 'hostname':
      case 'port':
      case 'pathname':
        options[key] = value;
        break;
      case 'logging':
        if ((LOG_LEVELS as readonly string[]).includes(value)) options.logging = value as LogLevel;
        break;
      case 'progress':
        options.progress = value === 'linear' || value === 'circular' ? value : value === 'true';
        break;
      case 'overlay': {
        const overlay = parseOverlay(value);
        if (overlay !== undefined) options.overlay = overlay;
        break;
      }
      case 'reconnect': {
        const attempts = Number(value);
        if (!Number.isNaN(attempts) && attempts >= 0) options.reconnect = attempts;
        break;
      }
      case 'hot':
        options.hot = value === 'only' ? 'only' : value === 'true';
        break;
      case 'live-reload':
        options.liveReload = value === 'true';
        break;
      default:
        // Unknown keys are ignored, as webpack-dev-server's client ignores them.
        break;
    }
  }
  return options;
}

/**
 * Options taken from the client script's own URL, used when the entry has no
 * query (a client added by hand): protocol, credentials, host and port of the
 * server that served the script. The path is not used.
 */
export function parseClientScriptUrl(src: string): ParsedClientOptions {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return { fromCurrentScript: true };
  }
  const options: ParsedClientOptions = { fromCurrentScript: true };
  options.protocol = url.protocol;
  if (url.username) options.username = safeDecode(url.username);
  if (url.password) options.password = safeDecode(url.password);
  options.hostname = url.hostname;
  if (url.port) options.port = url.port;
  return options;
}

/** The parts of `window.location` the socket URL depends on. */
export interface LocationLike {
  protocol: string;
  hostname: string;
  port: string;
}

const ANY_ADDRESS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

/** Whether a host is an any-address (`0.0.0.0`, `::`, `[::]`): listen everywhere, dial the page's host. */
export function isAnyAddress(host: string): boolean {
  return ANY_ADDRESS.has(host);
}

/**
 * The URL the browser dials, by webpack-dev-server's client rules:
 * an any-address host (`0.0.0.0`, `::`) on an http(s) page becomes the page's
 * host; protocol `auto:` (or an any-address host on an https page) follows the
 * page; `http*`, `file` and `*-extension` protocols become `ws*`; port `0` or
 * empty means the page's port; the path defaults to `/ws`.
 */
export function createSocketUrl(options: ParsedClientOptions, location: LocationLike): string {
  let hostname = options.hostname ?? '';
  const anyAddress = isAnyAddress(hostname);
  if (anyAddress && location.hostname && location.protocol.startsWith('http')) {
    hostname = location.hostname;
  }

  let protocol = options.protocol || location.protocol;
  if (protocol === 'auto:' || (hostname && anyAddress && location.protocol === 'https:')) {
    protocol = location.protocol;
  }
  protocol = protocol.replace(/^(?:http|.+-extension|file)/i, 'ws');

  let auth = '';
  if (options.username) {
    auth = options.username;
    if (options.password) auth += `:${options.password}`;
    auth += '@';
  }

  // `[::1]` and `::1` both end up bracketed once in the URL.
  let host = (hostname || location.hostname || 'localhost').replace(/^\[(.*)\]$/, '$1');
  if (host.includes(':')) host = `[${host}]`;

  let port = options.port ?? '';
  if (!port || port === '0') port = location.port;

  let pathname = DEFAULT_SOCKET_PATH;
  if (options.pathname && !options.fromCurrentScript) {
    pathname = options.pathname.startsWith('/') ? options.pathname : `/${options.pathname}`;
  }

  if (!protocol.endsWith(':')) protocol += ':';
  return `${protocol}//${auth}${host}${port ? `:${port}` : ''}${pathname}`;
}
