import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { validateOptions as validateDevMiddlewareOptions } from '@hmrkit/memfs-middleware';
import type { LogLevel, OverlayOptions, ProgressOption } from '@hmrkit/protocol';
import { DEFAULT_RECONNECT_ATTEMPTS, DEFAULT_SOCKET_PATH, LOG_LEVELS } from '@hmrkit/protocol';
import { normalizeAllowedHosts } from '@hmrkit/socket-server';
import { resolveClientTransport } from './compiler';
import {
  DevServerError,
  describeValue,
  fromPackageOptionError,
  invalidOption,
  missingPeer,
  optionPath,
  unsupportedOption,
} from './errors';
import { needsGeneratedCertificate, readCachedCertificate, SELFSIGNED_PURPOSE } from './network';
import { requireFrom, resolveOptionalPeer, resolveOwn } from './peers';
import { PROXY_PURPOSE, validateProxyEntry } from './proxy';
import { type HotPushOption, type NormalizedHotPush, normalizeHotPush } from './push';

// ---------------------------------------------------------------------------
// The `devServer` options, in webpack-dev-server 5's shape.
// ---------------------------------------------------------------------------

export type AllowedHosts = 'auto' | 'all' | string | string[];

export interface WebSocketUrl {
  protocol?: string;
  hostname?: string;
  port?: number | string;
  pathname?: string;
  username?: string;
  password?: string;
}

export interface ClientConfig {
  /** Browser log level. @default webpack's infrastructureLogging.level, else 'info' */
  logging?: LogLevel;
  /** @default true */
  overlay?: boolean | OverlayOptions;
  progress?: ProgressOption;
  /** Reconnect attempts; `true` = forever, `false` = never. @default 10 */
  reconnect?: boolean | number;
  /** 'ws', 'sockjs' or the path of a custom client transport module. @default the server's type */
  webSocketTransport?: 'ws' | 'sockjs' | string;
  /** The URL the browser dials, when it differs from the server (proxies). */
  webSocketURL?: string | WebSocketUrl;
}

export type HeadersOption =
  | Record<string, string | string[]>
  | Array<{ key: string; value: string }>
  | ((req: unknown, res: unknown, context: unknown) => unknown);

export interface StaticConfig {
  directory?: string;
  publicPath?: string | string[];
  staticOptions?: Record<string, unknown>;
  serveIndex?: boolean | Record<string, unknown>;
  watch?: boolean | Record<string, unknown>;
}

/**
 * webpack-dev-server 5's custom server: `(options, requestListener) => server`
 * (a function as `server` or `server.type`), or a module exporting
 * `createServer(options, requestListener)` named by its path.
 */
export type ServerFactory = (
  options: Record<string, unknown>,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
) => Server | Promise<Server>;

export interface ServerConfig {
  type?: 'http' | 'https' | string | ServerFactory;
  options?: {
    key?: string | Buffer;
    cert?: string | Buffer;
    ca?: string | Buffer;
    pfx?: string | Buffer;
    passphrase?: string;
    requestCert?: boolean;
    [option: string]: unknown;
  };
}

/**
 * A custom socket server in webpack-dev-server 5's contract (its
 * `lib/servers/BaseServer.js`): constructed with the dev server, it attaches
 * to `devServer.server`, sets `implementation` (an emitter of
 * `connection(client, request)`, with `close(callback)`), and keeps its
 * connected `clients` (each with `send(text)`, `close()`, `terminate()`,
 * `readyState`).
 */
export type WebSocketServerClass = new (devServer: never) => unknown;

export interface WebSocketServerConfig {
  /** 'ws', 'sockjs', a custom server class, or the path of a module exporting one. */
  type?: 'ws' | 'sockjs' | string | WebSocketServerClass;
  options?: {
    path?: string;
    prefix?: string;
    /** ws only: also listen for sockets on this host (the client dials it). */
    host?: string;
    /** ws only: also listen for sockets on this port (the client dials it). */
    port?: number | string;
  };
}

export type OpenTarget = boolean | string | { target?: string | string[]; app?: unknown };

export interface DevServerOptions {
  allowedHosts?: AllowedHosts;
  client?: false | ClientConfig;
  compress?: boolean;
  devMiddleware?: Record<string, unknown>;
  /**
   * hmrkit's own option (webpack-dev-server has none): in hot mode hmrkit sets
   * webpack's `optimization.emitOnErrors` to false, so the update after a
   * fixed syntax error is computed against the last good build and
   * hot-applies with state kept. `true` leaves webpack's setting alone.
   * `hmrkit serve` sets it when your config sets `optimization.emitOnErrors`.
   * @default false
   */
  emitOnErrors?: boolean;
  headers?: HeadersOption;
  historyApiFallback?: boolean | Record<string, unknown>;
  host?: 'local-ip' | 'local-ipv4' | 'local-ipv6' | string;
  hot?: boolean | 'only';
  /**
   * hmrkit's own option (webpack-dev-server has none): push each build's hot
   * update (manifest and chunks, from memory) over the socket to hmrkit clients
   * that ask, so the page needs no HTTP request. Builds over `maxBytes` (the
   * files' total) are fetched as usual. @default { maxBytes: 1048576 }
   */
  hotPush?: HotPushOption;
  /**
   * hmrkit's own option (webpack-dev-server has none): keep webpack's HMR
   * records on disk (`node_modules/.cache/hmrkit/`, or the config's
   * `recordsPath`), so that after a restart open pages get the edits made
   * meanwhile as a hot update and keep their state. `false` (the CLI's
   * `--no-keep-state`) leaves them in memory: a restart reloads open pages.
   * @default true
   */
  keepState?: boolean;
  liveReload?: boolean;
  onListening?: (devServer: unknown) => void;
  open?: OpenTarget | OpenTarget[];
  port?: number | string | 'auto';
  proxy?: Array<Record<string, unknown> | ((...args: unknown[]) => unknown)>;
  /** 'http', 'https', a custom server (a factory, or the path of a module exporting `createServer`), or {type, options}. */
  server?: 'http' | 'https' | string | ServerFactory | ServerConfig;
  setupExitSignals?: boolean;
  setupMiddlewares?: (middlewares: unknown[], devServer: unknown) => unknown[];
  static?: boolean | string | StaticConfig | Array<string | StaticConfig>;
  watchFiles?: string | string[] | { paths?: string | string[]; options?: Record<string, unknown> };
  webSocketServer?: false | 'ws' | 'sockjs' | string | WebSocketServerClass | WebSocketServerConfig;
}

// ---------------------------------------------------------------------------
// Normalized
// ---------------------------------------------------------------------------

export interface NormalizedClient {
  logging: LogLevel;
  overlay: boolean | OverlayOptions;
  progress?: ProgressOption;
  reconnect: number;
  webSocketTransport: string;
  webSocketURL: WebSocketUrl;
}

export interface NormalizedStatic {
  directory: string;
  publicPath: string[];
  staticOptions: Record<string, unknown>;
  serveIndex: boolean;
  watch: boolean;
}

export interface NormalizedOpen {
  target: string;
  app?: unknown;
}

export interface NormalizedOptions {
  allowedHosts: 'auto' | 'all' | string[];
  client: false | NormalizedClient;
  compress: boolean;
  devMiddleware: Record<string, unknown>;
  emitOnErrors: boolean;
  headers?: HeadersOption;
  historyApiFallback: false | Record<string, unknown>;
  host?: string;
  hot: boolean | 'only';
  hotPush: NormalizedHotPush;
  keepState: boolean;
  liveReload: boolean;
  onListening?: (devServer: unknown) => void;
  open: NormalizedOpen[];
  port?: number | 'auto';
  proxy: Array<Record<string, unknown> | ((...args: unknown[]) => unknown)>;
  server: NormalizedServer;
  setupExitSignals: boolean;
  setupMiddlewares?: (middlewares: unknown[], devServer: unknown) => unknown[];
  static: NormalizedStatic[];
  watchFiles: Array<{ paths: string[]; options: Record<string, unknown> }>;
  webSocketServer: false | NormalizedWebSocketServer;
}

export interface NormalizedServer {
  /** `custom`: `create` makes the server (a function or a module's `createServer`). */
  type: 'http' | 'https' | 'custom';
  options: NonNullable<ServerConfig['options']>;
  create?: ServerFactory;
}

export interface NormalizedWebSocketServer {
  /** `custom`: `implementation` is the user's class. */
  type: 'ws' | 'sockjs' | 'custom';
  implementation?: WebSocketServerClass;
  options: { path: string; host?: string; port?: number };
}

/** Options of webpack-dev-server 5 that hmrkit does not implement: a clear error, not silence. */
const UNSUPPORTED: Record<string, string> = {
  app: 'hmrkit runs on node:http with its own middleware chain; in setupMiddlewares, add entries to the list or routes with devServer.app.get/post/use',
  bonjour: 'ZeroConf announcement is not implemented',
  ipc: 'listening on a Unix socket or pipe is not implemented',
  http2: 'removed in webpack-dev-server 5; use server: "https"',
  https: 'removed in webpack-dev-server 5; use server: "https"',
  magicHtml: 'removed in webpack-dev-server 5',
  onAfterSetupMiddleware: 'removed in webpack-dev-server 5; use setupMiddlewares',
  onBeforeSetupMiddleware: 'removed in webpack-dev-server 5; use setupMiddlewares',
};

const KNOWN = new Set<string>([
  'allowedHosts',
  'client',
  'compress',
  'devMiddleware',
  'emitOnErrors',
  'headers',
  'historyApiFallback',
  'host',
  'hot',
  'hotPush',
  'keepState',
  'liveReload',
  'onListening',
  'open',
  'port',
  'proxy',
  'server',
  'setupExitSignals',
  'setupMiddlewares',
  'static',
  'watchFiles',
  'webSocketServer',
]);

const CLIENT_KEYS = new Set([
  'logging',
  'overlay',
  'progress',
  'reconnect',
  'webSocketTransport',
  'webSocketURL',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkKeys(value: Record<string, unknown>, known: Set<string>, path: string): void {
  for (const key of Object.keys(value)) {
    if (known.has(key)) continue;
    if (!path && key in UNSUPPORTED) throw unsupportedOption(key, `(${UNSUPPORTED[key]})`);
    const option = optionPath(path ? `${path}.${key}` : key);
    throw new DevServerError(
      'UNKNOWN_OPTION',
      `Unknown option: ${option}. Known options: ${[...known].join(', ')}.`,
      { option },
    );
  }
}

function expectBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(path, 'a boolean', value);
  return value;
}

function expectFunction<T>(value: unknown, path: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidOption(path, 'a function', value);
  return value as T;
}

/** Checks the type; the normalization itself is socket-server's, which runs the host checks. */
function normalizeAllowedHostsOption(value: unknown): NormalizedOptions['allowedHosts'] {
  if (value === undefined || value === 'auto') return 'auto';
  const valid =
    (typeof value === 'string' && value) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string' && v));
  if (!valid) {
    throw invalidOption(
      'allowedHosts',
      '"auto", "all", a host name or a list of host names',
      value,
    );
  }
  const normalized = normalizeAllowedHosts(value as string | string[]);
  return normalized === 'all' ? 'all' : [...normalized];
}

function normalizeWebSocketUrl(value: unknown): WebSocketUrl {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalidOption('client.webSocketURL', 'an absolute URL (ws://host:port/path)', value);
    }
    // As webpack-dev-server: a string is split with new URL, so empty credentials are kept.
    return {
      protocol: url.protocol,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      hostname: url.hostname,
      port: url.port,
      pathname: url.pathname,
    };
  }
  if (!isRecord(value))
    throw invalidOption('client.webSocketURL', 'a URL string or an object', value);
  checkKeys(
    value,
    new Set(['protocol', 'hostname', 'port', 'pathname', 'username', 'password']),
    'client.webSocketURL',
  );
  for (const key of ['protocol', 'hostname', 'pathname', 'username', 'password'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') {
      throw invalidOption(`client.webSocketURL.${key}`, 'a string', value[key]);
    }
  }
  const port = value.port;
  if (port !== undefined && typeof port !== 'string' && !(typeof port === 'number' && port >= 0)) {
    throw invalidOption('client.webSocketURL.port', 'a port number or string', port);
  }
  return { ...(value as WebSocketUrl) };
}

function normalizeOverlay(value: unknown): boolean | OverlayOptions {
  if (value === undefined) return true;
  if (typeof value === 'boolean') return value;
  if (!isRecord(value)) throw invalidOption('client.overlay', 'a boolean or an object', value);
  checkKeys(
    value,
    new Set(['errors', 'warnings', 'runtimeErrors', 'trustedTypesPolicyName']),
    'client.overlay',
  );
  const overlay: OverlayOptions = { errors: true, warnings: true };
  for (const key of ['errors', 'warnings', 'runtimeErrors'] as const) {
    const filter = value[key];
    if (filter === undefined) continue;
    if (typeof filter === 'boolean') overlay[key] = filter;
    // A filter function travels as its URI-encoded source, as webpack-dev-server sends it.
    else if (typeof filter === 'function') overlay[key] = encodeURIComponent(filter.toString());
    else throw invalidOption(`client.overlay.${key}`, 'a boolean or a function', filter);
  }
  if (value.trustedTypesPolicyName !== undefined) {
    if (typeof value.trustedTypesPolicyName !== 'string') {
      throw invalidOption(
        'client.overlay.trustedTypesPolicyName',
        'a string',
        value.trustedTypesPolicyName,
      );
    }
    overlay.trustedTypesPolicyName = value.trustedTypesPolicyName;
  }
  return overlay;
}

function normalizeClient(
  value: unknown,
  webSocketServer: NormalizedOptions['webSocketServer'],
  infrastructureLevel: string | undefined,
): NormalizedOptions['client'] {
  if (value === false) return false;
  if (value !== undefined && !isRecord(value))
    throw invalidOption('client', 'false or an object', value);
  const client = (value ?? {}) as Record<string, unknown>;
  checkKeys(client, CLIENT_KEYS, 'client');

  const defaultLevel = (LOG_LEVELS as readonly string[]).includes(infrastructureLevel ?? '')
    ? (infrastructureLevel as LogLevel)
    : 'info';
  const logging = client.logging ?? defaultLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logging as string)) {
    throw invalidOption('client.logging', `one of ${LOG_LEVELS.join(', ')}`, logging);
  }

  let reconnect = DEFAULT_RECONNECT_ATTEMPTS;
  if (client.reconnect === true) reconnect = Number.POSITIVE_INFINITY;
  else if (client.reconnect === false) reconnect = 0;
  else if (typeof client.reconnect === 'number' && client.reconnect >= 0)
    reconnect = client.reconnect;
  else if (client.reconnect !== undefined) {
    throw invalidOption('client.reconnect', 'a boolean or a number ≥ 0', client.reconnect);
  }

  const progress = client.progress;
  if (
    progress !== undefined &&
    typeof progress !== 'boolean' &&
    progress !== 'linear' &&
    progress !== 'circular'
  ) {
    throw invalidOption('client.progress', 'a boolean, "linear" or "circular"', progress);
  }

  // A custom socket server says nothing about the browser side: 'ws' unless set (as webpack-dev-server).
  const transport =
    client.webSocketTransport ??
    (webSocketServer && webSocketServer.type !== 'custom' ? webSocketServer.type : 'ws');
  if (typeof transport !== 'string' || !transport) {
    throw invalidOption('client.webSocketTransport', '"ws", "sockjs" or a module path', transport);
  }

  const normalized: NormalizedClient = {
    logging: logging as LogLevel,
    overlay: normalizeOverlay(client.overlay),
    reconnect,
    webSocketTransport: transport,
    webSocketURL: normalizeWebSocketUrl(client.webSocketURL),
  };
  if (progress !== undefined) normalized.progress = progress as ProgressOption;
  return normalized;
}

const CUSTOM_WEB_SOCKET_SERVER =
  'a string denoting a default implementation ("ws", "sockjs"), the path of a module exporting a class with webpack-dev-server 5\'s BaseServer contract, or the class itself';

/** A custom socket server class, given as the class or a module path resolved from `cwd`. */
function loadWebSocketServerClass(value: unknown, path: string, cwd: string): WebSocketServerClass {
  if (typeof value === 'function') return value as WebSocketServerClass;
  const loaded = typeof value === 'string' && value ? requireFrom(value, cwd) : undefined;
  const implementation = (loaded as { default?: unknown } | undefined)?.default ?? loaded;
  if (typeof implementation !== 'function') {
    throw new DevServerError(
      'INVALID_OPTION',
      `Invalid options: devServer.${path} should be ${CUSTOM_WEB_SOCKET_SERVER}; ${
        loaded === undefined
          ? `cannot resolve ${describeValue(value)} from ${cwd}`
          : `${describeValue(value)} exports no class`
      }.`,
      { option: optionPath(path) },
    );
  }
  return implementation as WebSocketServerClass;
}

/**
 * An option written as its type or as `{type, options}` (`server`, `webSocketServer`):
 * a string or a function is the type. `path` is where a bad type is reported.
 */
function splitTypeOptions(
  value: unknown,
  name: 'server' | 'webSocketServer',
  expected: string,
): { type: unknown; options: Record<string, unknown>; path: string } {
  const config: Record<string, unknown> =
    value === undefined
      ? {}
      : typeof value === 'string' || typeof value === 'function'
        ? { type: value }
        : isRecord(value)
          ? value
          : {};
  if (value !== undefined && config.type === undefined && !isRecord(value)) {
    throw invalidOption(name, expected, value);
  }
  checkKeys(config, new Set(['type', 'options']), name);
  const options = config.options ?? {};
  if (!isRecord(options)) throw invalidOption(`${name}.options`, 'an object', options);
  return { type: config.type, options, path: isRecord(value) ? `${name}.type` : name };
}

function normalizeWebSocketServer(
  value: unknown,
  cwd: string,
): NormalizedOptions['webSocketServer'] {
  if (value === false) return false;
  const config = splitTypeOptions(
    value === true ? undefined : value,
    'webSocketServer',
    `false, ${CUSTOM_WEB_SOCKET_SERVER}, or {type, options}`,
  );
  const type = config.type ?? 'ws';
  const { path, options } = config;
  checkKeys(options, new Set(['path', 'prefix', 'host', 'port']), 'webSocketServer.options');
  for (const key of ['path', 'prefix'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/'))) {
      throw invalidOption(`webSocketServer.options.${key}`, 'a path starting with "/"', v);
    }
  }
  const normalized: NormalizedWebSocketServer = {
    type: type === 'ws' || type === 'sockjs' ? type : 'custom',
    options: { path: (options.prefix ?? options.path ?? DEFAULT_SOCKET_PATH) as string },
  };
  if (normalized.type === 'custom') {
    normalized.implementation = loadWebSocketServerClass(type, path, cwd);
  }
  if (options.host !== undefined) {
    if (typeof options.host !== 'string' || !options.host) {
      throw invalidOption('webSocketServer.options.host', 'a host name', options.host);
    }
    normalized.options.host = options.host;
  }
  if (options.port !== undefined) {
    const port = normalizePort(options.port, 'webSocketServer.options.port');
    if (typeof port !== 'number') {
      throw invalidOption('webSocketServer.options.port', 'a port number (0–65535)', options.port);
    }
    normalized.options.port = port;
  }
  return normalized;
}

function normalizeStatic(value: unknown, cwd: string): NormalizedStatic[] {
  const defaults = (directory: string): NormalizedStatic => ({
    directory,
    publicPath: ['/'],
    staticOptions: {},
    serveIndex: true,
    watch: true,
  });
  if (value === false) return [];
  if (value === undefined || value === true) return [defaults(join(cwd, 'public'))];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    const path = Array.isArray(value) ? `static[${index}]` : 'static';
    if (typeof item === 'string') {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item))
        throw invalidOption(path, 'a folder, not a URL', item);
      return defaults(isAbsolute(item) ? item : resolve(cwd, item));
    }
    if (!isRecord(item)) throw invalidOption(path, 'a folder or an object', item);
    checkKeys(
      item,
      new Set(['directory', 'publicPath', 'staticOptions', 'serveIndex', 'watch']),
      path,
    );
    const directory = item.directory ?? join(cwd, 'public');
    if (typeof directory !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(directory)) {
      throw invalidOption(`${path}.directory`, 'a folder path', directory);
    }
    const publicPath = item.publicPath ?? ['/'];
    const publicPaths = Array.isArray(publicPath) ? publicPath : [publicPath];
    if (!publicPaths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
      throw invalidOption(`${path}.publicPath`, 'a path or paths starting with "/"', publicPath);
    }
    if (item.staticOptions !== undefined)
      checkStaticOptions(item.staticOptions, `${path}.staticOptions`);
    return {
      directory: isAbsolute(directory) ? directory : resolve(cwd, directory),
      publicPath: publicPaths as string[],
      staticOptions: (item.staticOptions as Record<string, unknown>) ?? {},
      serveIndex: item.serveIndex === undefined ? true : Boolean(item.serveIndex),
      watch: item.watch === undefined ? true : Boolean(item.watch),
    };
  });
}

/** The express.static options the static folders support (served by sirv). */
export const STATIC_OPTION_KEYS: ReadonlySet<string> = new Set([
  'dotfiles',
  'etag',
  'extensions',
  'immutable',
  'maxAge',
  'index',
  'redirect',
  'fallthrough',
]);

/** express.static's maxAge (ms number or "1d"/"2h"/...) in seconds, Cache-Control's unit. */
export function parseMaxAge(value: unknown, path: string): number {
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

/** `static[].staticOptions`: express.static's dotfiles, etag, extensions, immutable, maxAge. */
function checkStaticOptions(options: unknown, path: string): void {
  if (!isRecord(options)) throw invalidOption(path, 'an object', options);
  for (const key of Object.keys(options)) {
    if (!STATIC_OPTION_KEYS.has(key)) {
      throw unsupportedOption(
        `${path}.${key}`,
        `(supported: ${[...STATIC_OPTION_KEYS].join(', ')})`,
      );
    }
  }
  for (const key of ['index', 'redirect', 'fallthrough'] as const) {
    const v = options[key];
    if (v !== undefined && v !== true && !(key === 'index' && v === 'index.html')) {
      throw unsupportedOption(`${path}.${key}`, 'other than its default');
    }
  }
  const { dotfiles, extensions } = options;
  if (
    dotfiles !== undefined &&
    dotfiles !== 'ignore' &&
    dotfiles !== 'allow' &&
    dotfiles !== 'deny'
  ) {
    throw invalidOption(`${path}.dotfiles`, '"allow", "deny" or "ignore"', dotfiles);
  }
  if (
    extensions !== undefined &&
    extensions !== false &&
    !(Array.isArray(extensions) && extensions.every((e) => typeof e === 'string'))
  ) {
    throw invalidOption(`${path}.extensions`, 'false or a list of extensions', extensions);
  }
  for (const key of ['etag', 'immutable'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw invalidOption(`${path}.${key}`, 'a boolean', options[key]);
    }
  }
  if (options.maxAge !== undefined) parseMaxAge(options.maxAge, `${path}.maxAge`);
}

function normalizeOpen(value: unknown): NormalizedOpen[] {
  if (value === undefined || value === false) return [];
  const items = Array.isArray(value) ? value : [value];
  const result: NormalizedOpen[] = [];
  for (const item of items) {
    // '<url>' placeholders are resolved to the server URL when the server starts.
    if (item === true) result.push({ target: '<url>' });
    else if (typeof item === 'string') result.push({ target: item });
    else if (isRecord(item)) {
      const targets = item.target === undefined ? ['<url>'] : item.target;
      const list = Array.isArray(targets) ? targets : [targets];
      for (const target of list) {
        if (typeof target !== 'string') throw invalidOption('open.target', 'a string', target);
        result.push(item.app === undefined ? { target } : { target, app: item.app });
      }
    } else throw invalidOption('open', 'a boolean, a URL path, an object or a list of them', item);
  }
  return result;
}

/** A custom server module (`server: require.resolve('./server')`): its `createServer`. */
function loadServerModule(value: string, path: string, cwd: string): ServerFactory {
  const loaded = requireFrom(value, cwd) as
    | { createServer?: unknown; default?: { createServer?: unknown } }
    | undefined;
  const createServer = loaded?.createServer ?? loaded?.default?.createServer;
  if (typeof createServer !== 'function') {
    throw new DevServerError(
      'INVALID_OPTION',
      `Invalid options: devServer.${path} should be "http", "https", a function (options, requestListener) => server, or the path of a module exporting createServer(options, requestListener); ${
        loaded === undefined
          ? `cannot resolve ${describeValue(value)} from ${cwd}`
          : `${describeValue(value)} exports no createServer`
      }.`,
      { option: optionPath(path) },
    );
  }
  return (options, listener) => createServer.call(loaded, options, listener) as Server;
}

function normalizeServer(value: unknown, cwd: string): NormalizedOptions['server'] {
  if (
    value === 'spdy' ||
    value === 'http2' ||
    (isRecord(value) && (value.type === 'spdy' || value.type === 'http2'))
  ) {
    throw unsupportedOption(
      'server',
      `"${String(isRecord(value) ? value.type : value)}"; use "http" or "https"`,
    );
  }
  const config = splitTypeOptions(
    value,
    'server',
    '"http", "https", a function, a module path or {type, options}',
  );
  const type = config.type ?? 'http';
  const { path, options } = config;
  if (type === 'http' || type === 'https') return { type, options: { ...options } };
  if (typeof type === 'function') {
    return { type: 'custom', options: { ...options }, create: type as ServerFactory };
  }
  if (typeof type !== 'string' || !type) {
    throw invalidOption(path, '"http", "https", a function or a module path', type);
  }
  return { type: 'custom', options: { ...options }, create: loadServerModule(type, path, cwd) };
}

/** `port`: a number 0–65535 (or its digits), `'auto'`, or none. */
export function normalizePort(value: unknown, path = 'port'): NormalizedOptions['port'] {
  if (value === undefined) return undefined;
  if (value === 'auto') return 'auto';
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidOption(path, 'a port number (0–65535) or "auto"', value);
  }
  return port;
}

function normalizeWatchFiles(value: unknown): NormalizedOptions['watchFiles'] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'string') return { paths: [item], options: {} };
    if (!isRecord(item))
      throw invalidOption('watchFiles', 'a path, a list of paths or {paths, options}', item);
    const paths =
      item.paths === undefined ? [] : Array.isArray(item.paths) ? item.paths : [item.paths];
    if (!paths.every((p) => typeof p === 'string'))
      throw invalidOption('watchFiles.paths', 'paths', item.paths);
    return { paths: paths as string[], options: isRecord(item.options) ? item.options : {} };
  });
}

/**
 * The optional packages the options need, looked up now rather than when the server
 * starts (by then the first build has run): http-proxy-middleware for `proxy`, selfsigned
 * for `server: 'https'` without a certificate, sockjs for the sockjs socket server, and
 * sockjs-client or a custom module for `client.webSocketTransport`.
 */
function checkOptionalPeers(options: NormalizedOptions, context: string, cwd: string): void {
  if (options.proxy.length > 0 && !resolveOptionalPeer('http-proxy-middleware', context)) {
    throw missingPeer('proxy', PROXY_PURPOSE, 'http-proxy-middleware');
  }
  if (
    needsGeneratedCertificate(options.server) &&
    !readCachedCertificate(cwd) &&
    !resolveOptionalPeer('selfsigned', cwd)
  ) {
    throw missingPeer('server', SELFSIGNED_PURPOSE, 'selfsigned');
  }
  if (options.webSocketServer && options.webSocketServer.type === 'sockjs') {
    // @hmrkit/socket-server loads it, so it must be visible from there.
    try {
      createRequire(resolveOwn('@hmrkit/socket-server')).resolve('sockjs');
    } catch {
      throw missingPeer('webSocketServer', 'devServer.webSocketServer "sockjs"', 'sockjs');
    }
  }
  resolveClientTransport(options, context);
}

export interface NormalizeContext {
  /** Folder relative paths are resolved against. @default process.cwd() */
  cwd?: string;
  /** webpack's `infrastructureLogging.level`, the default of `client.logging`. */
  infrastructureLogging?: string;
  /** The compiler's `context`, where optional peers (http-proxy-middleware, sockjs-client) are looked for first. @default cwd */
  context?: string;
}

/**
 * Validates and fills in `devServer` options with webpack-dev-server 5's
 * defaults: every option error the dev-server can raise is raised here, before
 * anything is built. Throws a `DevServerError` naming the option (`option`) for
 * an unknown or unsupported option, a value of the wrong type (also inside
 * `devMiddleware`, `static[].staticOptions` and `proxy[]`), or a missing
 * optional package an option needs.
 */
export function normalizeOptions(
  raw: DevServerOptions | undefined,
  context: NormalizeContext = {},
): NormalizedOptions {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (!isRecord(input)) throw invalidOption('', 'an object', raw);
  checkKeys(input, KNOWN, '');
  const cwd = context.cwd ?? process.cwd();

  const hot = input.hot ?? true;
  if (hot !== true && hot !== false && hot !== 'only')
    throw invalidOption('hot', 'a boolean or "only"', hot);

  const webSocketServer = normalizeWebSocketServer(input.webSocketServer, cwd);
  const host = input.host;
  if (host !== undefined && (typeof host !== 'string' || !host))
    throw invalidOption('host', 'a host name', host);
  const devMiddleware = input.devMiddleware ?? {};
  if (!isRecord(devMiddleware)) throw invalidOption('devMiddleware', 'an object', devMiddleware);
  try {
    // memfs-middleware's own validation, so both say the same about the same option.
    validateDevMiddlewareOptions(devMiddleware);
  } catch (error) {
    fromPackageOptionError(error, 'devMiddleware');
  }
  const headers = input.headers;
  if (
    headers !== undefined &&
    typeof headers !== 'function' &&
    !isRecord(headers) &&
    !Array.isArray(headers)
  ) {
    throw invalidOption('headers', 'an object, a list of {key, value} or a function', headers);
  }
  const history = input.historyApiFallback;
  if (history !== undefined && typeof history !== 'boolean' && !isRecord(history)) {
    throw invalidOption('historyApiFallback', 'a boolean or an object', history);
  }
  const proxy = input.proxy ?? [];
  if (!Array.isArray(proxy)) {
    throw invalidOption(
      'proxy',
      'a list of proxy configs (webpack-dev-server 5 dropped the object form)',
      proxy,
    );
  }
  for (const [index, entry] of proxy.entries()) {
    if (typeof entry === 'function') continue;
    if (!isRecord(entry)) throw invalidOption(`proxy[${index}]`, 'an object or a function', entry);
    validateProxyEntry(entry, index);
  }

  const normalized: NormalizedOptions = {
    allowedHosts: normalizeAllowedHostsOption(input.allowedHosts),
    client: normalizeClient(input.client, webSocketServer, context.infrastructureLogging),
    compress: expectBoolean(input.compress, 'compress', true),
    devMiddleware: { ...devMiddleware },
    emitOnErrors: expectBoolean(input.emitOnErrors, 'emitOnErrors', false),
    historyApiFallback: history === true ? {} : history ? { ...history } : false,
    hot: hot as boolean | 'only',
    hotPush: normalizeHotPush(input.hotPush),
    keepState: expectBoolean(input.keepState, 'keepState', true),
    liveReload: expectBoolean(input.liveReload, 'liveReload', true),
    open: normalizeOpen(input.open),
    proxy: proxy as NormalizedOptions['proxy'],
    server: normalizeServer(input.server, cwd),
    setupExitSignals: expectBoolean(input.setupExitSignals, 'setupExitSignals', true),
    static: normalizeStatic(input.static, cwd),
    watchFiles: normalizeWatchFiles(input.watchFiles),
    webSocketServer,
  };
  const port = normalizePort(input.port);
  if (port !== undefined) normalized.port = port;
  if (host !== undefined) normalized.host = host as string;
  if (headers !== undefined) normalized.headers = headers as HeadersOption;
  const onListening = expectFunction<NormalizedOptions['onListening']>(
    input.onListening,
    'onListening',
  );
  if (onListening) normalized.onListening = onListening;
  const setup = expectFunction<NormalizedOptions['setupMiddlewares']>(
    input.setupMiddlewares,
    'setupMiddlewares',
  );
  if (setup) normalized.setupMiddlewares = setup;
  // Last: a missing package is worth reporting only for options that are otherwise right.
  checkOptionalPeers(normalized, context.context ?? cwd, cwd);
  return normalized;
}
