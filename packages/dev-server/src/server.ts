import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createMemfsMiddleware, type MemfsMiddleware } from '@hmrkit/memfs-middleware';
import { createStaticChangedMessage, type ServerMessage } from '@hmrkit/protocol';
import { createSocketServer, type SocketServer } from '@hmrkit/socket-server';
import type { Compiler, MultiCompiler, MultiStats, Stats } from 'webpack';
import { createApp, type DevServerApp, decorateResponse } from './app';
import { composeMiddlewares, type Middleware, type NamedMiddleware } from './chain';
import { getCompilers, getPrimaryCompiler, PLUGIN_NAME, setupCompilers } from './compiler';
import { createCompressMiddleware } from './compress';
import { DevServerError } from './errors';
import {
  type BuildMessenger,
  createBuildMessenger,
  createProgressFrame,
  summarizeStats,
} from './messages';
import {
  createHistoryFallbackMiddleware,
  createSecurityMiddleware,
  createServeIndexMiddleware,
  createStaticMiddleware,
  escapeHtml,
  finalHandler,
  isReadRequest,
  isSameSiteRequest,
} from './middlewares';
import {
  createNodeServer,
  findFreePort,
  findInternalIp,
  getServerUrls,
  resolveHost,
  type ServerUrls,
} from './network';
import { type DevServerOptions, type NormalizedOptions, normalizeOptions } from './options';
import { resolveOptionalPeer } from './peers';
import { createProxySetup, type ProxySetup } from './proxy';
import { createFileWatcher, type FileWatcher } from './watch';

type Logger = ReturnType<Compiler['getInfrastructureLogger']>;

type Callback = (error?: Error) => void;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The infrastructure logger the "Project is running at" block goes to. */
export const STATUS_LOGGER_NAME = 'hmrkit-dev-server/status';

/**
 * The dev server: webpack-dev-server 5's `Server` API on hmrkit's packages.
 * `new DevServer(options, compiler)` validates the options at once; `start()`
 * prepares the compilers, serves the bundle from memory and the HMR socket,
 * and resolves when listening.
 */
export class DevServer {
  /** The normalized options; after `start()`, `port` and `host` are the ones in use. */
  readonly options: NormalizedOptions;
  readonly compiler: Compiler | MultiCompiler;
  readonly logger: Logger;
  /** The node http/https server (after `start()`). */
  server: Server | undefined;
  /** The @hmrkit/memfs-middleware instance (after `start()`). */
  middleware: MemfsMiddleware | undefined;
  /** The HMR socket server (after `start()`; none with `webSocketServer: false`). */
  socketServer: SocketServer | undefined;
  /** The stats of the last build. */
  stats: Stats | MultiStats | undefined;
  /**
   * An express-like router (`get`, `post`, `use`, … with `res.send`/`res.json`)
   * for the `devServer.app.get(...)` calls of webpack-dev-server configs.
   * Its routes run right after the Host check.
   */
  readonly app: DevServerApp = createApp();

  #messenger: BuildMessenger;
  #watchers: FileWatcher[] = [];
  #proxy: ProxySetup | undefined;
  #sockets = new Set<Socket>();
  #urls: ServerUrls | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #signalHandlers = new Map<string, () => void>();
  #hooked = false;

  constructor(options: DevServerOptions | undefined, compiler: Compiler | MultiCompiler) {
    if (!compiler || typeof (compiler as Compiler).getInfrastructureLogger !== 'function') {
      throw new DevServerError(
        'INVALID_OPTION',
        'new DevServer(options, compiler) needs a webpack Compiler or MultiCompiler as its second argument.',
      );
    }
    this.compiler = compiler;
    const primary = getPrimaryCompiler(compiler);
    const level = primary.options.infrastructureLogging?.level;
    this.options = normalizeOptions(options, {
      cwd: process.cwd(),
      ...(typeof level === 'string' ? { infrastructureLogging: level } : {}),
    });
    this.logger = compiler.getInfrastructureLogger(PLUGIN_NAME);
    this.#messenger = createBuildMessenger(this.options);
  }

  /** A free port: the given one, or the first free one from 8080 (`WEBPACK_DEV_SERVER_BASE_PORT`). */
  static getFreePort(port: number | string | undefined, host?: string): Promise<number> {
    return findFreePort(port, host);
  }

  /** This machine's first non-internal IPv4 or IPv6 address. */
  static internalIP(family: 'v4' | 'v6'): Promise<string | undefined> {
    return Promise.resolve(findInternalIp(family));
  }

  static internalIPSync(family: 'v4' | 'v6'): string | undefined {
    return findInternalIp(family);
  }

  /** Where the server can be reached (after `start()`). */
  getUrls(): ServerUrls {
    if (!this.#urls) throw new DevServerError('NOT_STARTED', 'The dev server has not started.');
    return this.#urls;
  }

  /** Starts serving; resolves once listening (the first build may still be running). */
  start(): Promise<void> {
    this.#starting ??= this.#start().catch(async (error: unknown) => {
      await this.#teardown().catch(() => {});
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  startCallback(callback: Callback = () => {}): void {
    this.start().then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  /** Closes sockets, watchers, the compiler's watch and the server. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting?.catch(() => {});
      await this.#teardown();
    })().finally(() => {
      this.#stopping = undefined;
      this.#starting = undefined;
    });
    return this.#stopping;
  }

  stopCallback(callback: Callback = () => {}): void {
    this.stop().then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  /** Rebuilds; `callback(stats)` after the new build. */
  invalidate(callback?: (stats: Stats | MultiStats) => void): void {
    if (!this.middleware)
      throw new DevServerError('NOT_STARTED', 'The dev server has not started.');
    this.middleware.invalidate(callback);
  }

  /** Sends a frame `{type, data, params}` to every connected client. */
  sendMessage(type: string, data?: unknown, params?: unknown): void {
    if (!this.socketServer) return;
    const text = JSON.stringify({ type, data, params });
    for (const client of this.socketServer.clients) {
      if (client.isOpen) client.send(text);
    }
  }

  #broadcast(messages: readonly ServerMessage[]): void {
    const sockets = this.socketServer;
    if (!sockets) return;
    for (const message of messages) sockets.broadcast(message);
  }

  async #start(): Promise<void> {
    const { options } = this;
    const host = resolveHost(options.host);
    const port = await findFreePort(options.port, host);
    const secure = options.server.type === 'https';
    const primary = getPrimaryCompiler(this.compiler);

    // Sockets and hooks first, so the very first build's frames are not missed.
    if (options.webSocketServer) {
      const sockets = createSocketServer({
        transport: options.webSocketServer.type,
        path: options.webSocketServer.options.path,
        allowedHosts: options.allowedHosts,
        ...(host === undefined ? {} : { host }),
        ...webSocketHostname(options),
      });
      sockets.on('connection', (client) => {
        for (const message of this.#messenger.greeting()) sockets.send(client, message);
      });
      this.socketServer = sockets;
    }

    if (!this.#hooked) {
      this.#hooked = true;
      setupCompilers(this.compiler, options, {
        ...(host === undefined ? {} : { host }),
        port,
        secure,
        logger: this.logger,
        emitOnErrors: options.emitOnErrors,
        onProgress: (fraction, message, addInfo, pluginName) => {
          this.#broadcast([createProgressFrame(fraction, message, addInfo, pluginName)]);
        },
      });
      this.compiler.hooks.invalid.tap(PLUGIN_NAME, () => {
        this.#broadcast([this.#messenger.invalid()]);
      });
      // Frames go out in `done`, before the middleware prints stats (on the next tick).
      // Stage -100: before other `done` taps (a CLI's status line, stats printing), so the
      // browser hears `ok` first.
      this.compiler.hooks.done.tap(
        { name: PLUGIN_NAME, stage: -100 },
        (stats: Stats | MultiStats) => {
          this.stats = stats;
          this.#broadcast(this.#messenger.afterBuild(summarizeStats(stats)));
        },
      );
    }

    applyWatchDefaults(this.compiler);
    this.middleware = createMemfsMiddleware(this.compiler, options.devMiddleware);
    this.#proxy = createProxySetup(options.proxy, {
      context: primary.context,
      logger: this.logger,
    });

    const middlewares = this.#createMiddlewares(host);
    const list = options.setupMiddlewares
      ? (options.setupMiddlewares(middlewares, this) as Array<NamedMiddleware | Middleware>)
      : middlewares;
    if (!Array.isArray(list)) {
      throw new DevServerError(
        'INVALID_OPTION',
        'Invalid options: devServer.setupMiddlewares should return the list of middlewares.',
      );
    }
    // The app's routes go right after the Host check (webpack-dev-server runs them first of all).
    const ordered: Array<NamedMiddleware | Middleware> = [...list];
    const checkIndex = ordered.findIndex(
      (entry) => typeof entry !== 'function' && entry.name === 'host-header-check',
    );
    ordered.splice(checkIndex + 1, 0, { name: 'app', middleware: this.app.handle });
    const handle = composeMiddlewares(ordered, (req, res, error) =>
      finalHandler(req, res, error, this.logger),
    );
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      if (this.socketServer?.handleRequest(req, res)) return;
      handle(req, decorateResponse(res));
    };

    const server = await createNodeServer(options.server, listener, process.cwd());
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.socketServer?.upgrade(req, socket, head)) return;
      if (this.#proxy?.upgrade(req, socket, head)) return;
      socket.destroy();
    });
    server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      else socket.destroy();
    });

    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') {
          reject(
            new DevServerError(
              'PORT_IN_USE',
              `Port ${port} is already in use${host ? ` on ${host}` : ''}; choose another with --port or devServer.port (or "auto").`,
              { cause: error },
            ),
          );
        } else reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
    server.on('error', (error) => this.logger.error(error));

    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    (this.options as { port?: number | 'auto' }).port = actualPort;
    if (host !== undefined) (this.options as { host?: string }).host = host;
    this.#urls = getServerUrls(host, actualPort, secure);

    this.#startWatchers();
    this.#setupExitSignals();
    this.#logStatus();
    await this.#open();
    options.onListening?.(this);
  }

  #createMiddlewares(host: string | undefined): NamedMiddleware[] {
    const { options } = this;
    const middleware = this.middleware as MemfsMiddleware;
    const dev: Middleware = (req, res, next) => middleware(req, res, next);
    const list: NamedMiddleware[] = [
      {
        name: 'host-header-check',
        middleware: createSecurityMiddleware(
          {
            allowedHosts: options.allowedHosts,
            ...(host === undefined ? {} : { host }),
            ...webSocketHostname(options),
          },
          options.headers,
          () => this.middleware?.context,
        ),
      },
    ];
    if (options.compress)
      list.push({ name: 'compression', middleware: createCompressMiddleware() });
    list.push({ name: 'webpack-dev-middleware', middleware: dev });
    list.push({
      name: 'webpack-dev-server-invalidate',
      path: '/webpack-dev-server/invalidate',
      middleware: (req, res, next) => {
        if (!isReadRequest(req)) return next();
        if (!isSameSiteRequest(req, options.allowedHosts)) {
          res.statusCode = 403;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end('Forbidden');
          return;
        }
        this.invalidate();
        res.end();
      },
    });
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
    for (const proxy of this.#proxy?.middlewares ?? []) {
      list.push({ name: 'http-proxy-middleware', middleware: proxy });
    }
    const statics: NamedMiddleware[] = [];
    options.static.forEach((item, index) => {
      const serve = createStaticMiddleware(item, index);
      for (const publicPath of item.publicPath) {
        statics.push({ name: 'express-static', path: publicPath, middleware: serve });
      }
    });
    list.push(...statics);
    if (options.historyApiFallback) {
      list.push({
        name: 'connect-history-api-fallback',
        middleware: createHistoryFallbackMiddleware(options.historyApiFallback, this.logger),
      });
      // The rewritten URL (/index.html) is served by the bundle or a static folder.
      list.push({ name: 'webpack-dev-middleware', middleware: dev });
      list.push(...statics);
    }
    for (const item of options.static) {
      if (!item.serveIndex) continue;
      const listing = createServeIndexMiddleware(item.directory);
      for (const publicPath of item.publicPath) {
        list.push({ name: 'serve-index', path: publicPath, middleware: listing });
      }
    }
    return list;
  }

  #startWatchers(): void {
    const { options } = this;
    if (!options.liveReload || !this.socketServer) return;
    const primary = getPrimaryCompiler(this.compiler);
    const poll = primary.options.watchOptions?.poll;
    const onChange = (path: string): void => {
      this.#broadcast([createStaticChangedMessage(path)]);
    };
    const folders = options.static.filter((item) => item.watch).map((item) => item.directory);
    if (folders.length > 0) {
      this.#watchers.push(
        createFileWatcher(
          folders,
          { cwd: process.cwd(), ...(poll === undefined ? {} : { poll }) },
          onChange,
        ),
      );
    }
    for (const item of options.watchFiles) {
      if (item.paths.length === 0) continue;
      this.#watchers.push(
        createFileWatcher(
          item.paths,
          {
            cwd: process.cwd(),
            ...(poll === undefined ? {} : { poll }),
            chokidar: item.options,
          },
          onChange,
        ),
      );
    }
  }

  #setupExitSignals(): void {
    if (!this.options.setupExitSignals) return;
    let stopping = false;
    for (const signal of SIGNALS) {
      const handler = (): void => {
        if (stopping) {
          // A second Ctrl-C: the user wants out now.
          process.exit(1);
        }
        stopping = true;
        this.stop()
          .then(() => closeCompiler(this.compiler))
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      this.#signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  #logStatus(): void {
    const urls = this.#urls;
    if (!urls) return;
    // Its own logger name, so a CLI that prints its own URL block can drop exactly these lines.
    const logger = this.compiler.getInfrastructureLogger(STATUS_LOGGER_NAME);
    logger.info('Project is running at:');
    logger.info(`Loopback: ${urls.local}`);
    for (const url of urls.network) {
      logger.info(`On Your Network (${url.includes('[') ? 'IPv6' : 'IPv4'}): ${url}`);
    }
    const folders = this.options.static.map((item) => item.directory);
    if (folders.length > 0) {
      logger.info(
        `Content not from webpack is served from '${folders.join(', ')}' director${folders.length > 1 ? 'ies' : 'y'}`,
      );
    }
    if (this.options.historyApiFallback) {
      const index = (this.options.historyApiFallback as { index?: string }).index ?? '/index.html';
      logger.info(`404s will fallback to '${index}'`);
    }
  }

  async #open(): Promise<void> {
    const targets = this.options.open;
    if (targets.length === 0 || !this.#urls) return;
    const base = this.#urls.local;
    let open: (target: string, options: Record<string, unknown>) => Promise<unknown>;
    try {
      const resolved = resolveOptionalPeer('open', process.cwd());
      if (!resolved) throw new Error('open is not installed');
      const module = (await import(pathToFileURL(resolved).href)) as {
        default: typeof open;
      };
      open = module.default;
    } catch {
      this.logger.warn(
        'devServer.open needs the package "open" (npm install --save-dev open); open the URL yourself.',
      );
      return;
    }
    for (const { target, app } of targets) {
      const url =
        target === '<url>'
          ? base
          : /^[a-z][a-z0-9+.-]*:/i.test(target)
            ? target
            : new URL(target, base).href;
      try {
        await open(url, { wait: false, ...(app === undefined ? {} : { app }) });
      } catch (error) {
        this.logger.warn(`Unable to open "${url}": ${(error as Error).message}`);
      }
    }
  }

  async #teardown(): Promise<void> {
    for (const [signal, handler] of this.#signalHandlers) process.off(signal, handler);
    this.#signalHandlers.clear();
    const watchers = this.#watchers;
    this.#watchers = [];
    await Promise.all(watchers.map((watcher) => watcher.close().catch(() => {})));
    const sockets = this.socketServer;
    this.socketServer = undefined;
    await sockets?.close();
    const middleware = this.middleware;
    this.middleware = undefined;
    if (middleware) {
      await new Promise<void>((resolve) => middleware.close(() => resolve()));
    }
    const server = this.server;
    this.server = undefined;
    if (server?.listening) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and upgraded sockets would hold the server open.
      for (const socket of this.#sockets) socket.destroy();
      await closed;
    }
    this.#sockets.clear();
    this.#urls = undefined;
  }
}

/**
 * How long webpack's watcher waits after a change for more changes before it
 * rebuilds, unless the config sets `watchOptions.aggregateTimeout`. webpack's
 * default is 20 ms, all of it added to every hot update; editors write a
 * saved file within a millisecond or two, so 5 ms still takes a save as one
 * change (and a change during a build queues the next build anyway).
 */
export const DEFAULT_AGGREGATE_TIMEOUT = 5;

function applyWatchDefaults(compiler: Compiler | MultiCompiler): void {
  for (const child of getCompilers(compiler)) {
    const watchOptions = child.options.watchOptions ?? {};
    if (typeof watchOptions.aggregateTimeout !== 'number') {
      child.options.watchOptions = { ...watchOptions, aggregateTimeout: DEFAULT_AGGREGATE_TIMEOUT };
    }
  }
}

/** `client.webSocketURL.hostname`, which the host checks allow like an allowedHosts entry. */
function webSocketHostname(options: NormalizedOptions): { webSocketHostname?: string } {
  const hostname = options.client === false ? undefined : options.client.webSocketURL.hostname;
  return hostname ? { webSocketHostname: hostname } : {};
}

function closeCompiler(compiler: Compiler | MultiCompiler): Promise<void> {
  return new Promise((resolve) => {
    try {
      compiler.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** `/webpack-dev-server`: the assets of the current build, linked. */
function renderAssetList(stats: Stats | MultiStats): string {
  const items: string[] = [];
  const children = 'stats' in stats ? stats.stats : [stats];
  for (const child of children) {
    const json = child.toJson({ all: false, assets: true, publicPath: true });
    const publicPath = json.publicPath && json.publicPath !== 'auto' ? json.publicPath : '/';
    for (const asset of json.assets ?? []) {
      const href = `${publicPath.endsWith('/') ? publicPath : `${publicPath}/`}${asset.name}`;
      items.push(`<li><a href="${escapeHtml(encodeURI(href))}">${escapeHtml(asset.name)}</a></li>`);
    }
  }
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Assets</title></head><body><h1>Assets</h1><ul>${items.join('')}</ul></body></html>\n`;
}
