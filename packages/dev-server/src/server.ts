import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createMemfsMiddleware, type MemfsMiddleware } from '@hmrkit/memfs-middleware';
import { createStaticChangedMessage, type ServerMessage } from '@hmrkit/protocol';
import { createSocketServer, type SocketServer } from '@hmrkit/socket-server';
import type { Compiler, MultiCompiler, MultiStats, Stats } from 'webpack';
import { createApp, type DevServerApp } from './app';
import { applyWatchDefaults, hookBuildEvents } from './buildEvents';
import { getPrimaryCompiler, PLUGIN_NAME } from './compiler';
import { DevServerError } from './errors';
import { closeServer, listen, trackConnections } from './listen';
import { type BuildMessenger, createBuildMessenger } from './messages';
import { createHostCheckOptions } from './middlewares/security';
import {
  createNodeServer,
  findFreePort,
  findInternalIp,
  getServerUrls,
  resolveHost,
  type ServerUrls,
} from './network';
import { openTargets } from './open';
import { type DevServerOptions, type NormalizedOptions, normalizeOptions } from './options';
import { createProxySetup, type ProxySetup } from './proxy';
import { composeRoutes, createRoutes } from './routes';
import { setupExitSignals } from './signals';
import { logServerStatus } from './status';
import { type FileWatcher, watchStaticFiles } from './watch';

type Logger = ReturnType<Compiler['getInfrastructureLogger']>;

type Callback = (error?: Error) => void;

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
  #removeSignalHandlers: (() => void) | undefined;
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
        ...createHostCheckOptions(options, host),
      });
      sockets.on('connection', (client) => {
        for (const message of this.#messenger.greeting()) sockets.send(client, message);
      });
      this.socketServer = sockets;
    }

    if (!this.#hooked) {
      this.#hooked = true;
      hookBuildEvents(this.compiler, options, {
        ...(host === undefined ? {} : { host }),
        port,
        secure,
        logger: this.logger,
        emitOnErrors: options.emitOnErrors,
        messenger: this.#messenger,
        broadcast: (messages) => this.#broadcast(messages),
        onDone: (stats) => {
          this.stats = stats;
        },
      });
    }

    applyWatchDefaults(this.compiler);
    const middleware = createMemfsMiddleware(this.compiler, options.devMiddleware);
    this.middleware = middleware;
    this.#proxy = createProxySetup(options.proxy, {
      context: primary.context,
      logger: this.logger,
    });

    const handle = composeRoutes(
      createRoutes({
        options,
        host,
        middleware,
        proxies: this.#proxy?.middlewares ?? [],
        invalidate: () => this.invalidate(),
        logger: this.logger,
      }),
      {
        setupMiddlewares: options.setupMiddlewares,
        devServer: this,
        app: this.app.handle,
        logger: this.logger,
      },
    );
    const server = await createNodeServer(
      options.server,
      (req, res) => {
        if (this.socketServer?.handleRequest(req, res)) return;
        handle(req, res);
      },
      process.cwd(),
    );
    this.server = server;
    this.#sockets = trackConnections(server, [
      (req, socket, head) => this.socketServer?.upgrade(req, socket, head) ?? false,
      (req, socket, head) => this.#proxy?.upgrade(req, socket, head) ?? false,
    ]);
    await listen(server, port, host);
    server.on('error', (error) => this.logger.error(error));

    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    (this.options as { port?: number | 'auto' }).port = actualPort;
    if (host !== undefined) (this.options as { host?: string }).host = host;
    const urls = getServerUrls(host, actualPort, secure);
    this.#urls = urls;

    if (options.liveReload && this.socketServer) {
      this.#watchers = watchStaticFiles(options, primary, (path) => {
        this.#broadcast([createStaticChangedMessage(path)]);
      });
    }
    if (options.setupExitSignals) {
      this.#removeSignalHandlers = setupExitSignals(() => this.stop(), this.compiler);
    }
    logServerStatus(this.compiler, urls, options);
    await openTargets(options.open, urls.local, this.logger);
    options.onListening?.(this);
  }

  async #teardown(): Promise<void> {
    this.#removeSignalHandlers?.();
    this.#removeSignalHandlers = undefined;
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
    if (server) await closeServer(server, this.#sockets);
    this.#urls = undefined;
  }
}
