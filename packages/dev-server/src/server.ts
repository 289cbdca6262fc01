import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  type AnyCompiler,
  createMemfsMiddleware,
  getChildCompilers,
  type MemfsMiddleware,
} from '@hmrkit/memfs-middleware';
import {
  createStaticChangedMessage,
  encodeClientQuery,
  type ServerMessage,
} from '@hmrkit/protocol';
import { createSocketServer, type SocketServer } from '@hmrkit/socket-server';
import type { Compiler, MultiCompiler, MultiStats, Stats } from 'webpack';
import { createApp, type DevServerApp } from './app';
import { applyWatchDefaults, hookBuildEvents } from './buildEvents';
import { createClientEntryOptions, getPrimaryCompiler, PLUGIN_NAME } from './compiler';
import { createCustomTransport } from './customSocketServer';
import { DevServerError } from './errors';
import {
  closeServer,
  listen,
  listenForSockets,
  type SocketListener,
  trackConnections,
} from './listen';
import { type BuildMessenger, createBuildMessenger } from './messages';
import { createHostCheckOptions } from './middlewares/security';
import {
  createNodeServer,
  findFreePort,
  findIp,
  getServerUrls,
  resolveHost,
  type ServerUrls,
} from './network';
import { openTargets } from './open';
import {
  type DevServerOptions,
  type NormalizedOptions,
  normalizeOptions,
  normalizePort,
} from './options';
import { createProxySetup, type ProxySetup } from './proxy';
import { createPushChannel, type PushChannel } from './push';
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
  /** The clients that asked for pushed updates (with the socket server). */
  #push: PushChannel | undefined;
  #watchers: FileWatcher[] = [];
  #proxy: ProxySetup | undefined;
  #sockets = new Set<Socket>();
  #urls: ServerUrls | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #removeSignalHandlers: (() => void) | undefined;
  #hooked = false;
  /** Whether a build has succeeded: until then page requests get the first-build page. */
  #built = false;
  /** The middleware of the first start, kept across stop()/start(). */
  #middleware: MemfsMiddleware | undefined;
  /** The extra listener of `webSocketServer.options.port`. */
  #socketListener: SocketListener | undefined;

  /**
   * `compiler` is a webpack or an Rspack Compiler / MultiCompiler: Rspack's has webpack's API
   * at run time and `compiler.webpack`, where every plugin the server adds is taken from.
   */
  constructor(options: DevServerOptions | undefined, anyCompiler: AnyCompiler) {
    if (!anyCompiler || typeof anyCompiler.getInfrastructureLogger !== 'function') {
      throw new DevServerError(
        'INVALID_OPTION',
        'new DevServer(options, compiler) needs a webpack or Rspack Compiler or MultiCompiler as its second argument.',
      );
    }
    // webpack-dev-server sets it as soon as it is loaded; code that runs later (plugins, a
    // config evaluated after this) can tell serving from building.
    process.env.WEBPACK_SERVE ??= 'true';
    const compiler = anyCompiler as Compiler | MultiCompiler;
    this.compiler = compiler;
    const primary = getPrimaryCompiler(compiler);
    const level = primary.options.infrastructureLogging?.level;
    this.options = normalizeOptions(options, {
      cwd: process.cwd(),
      context: primary.context,
      ...(typeof level === 'string' ? { infrastructureLogging: level } : {}),
    });
    this.logger = compiler.getInfrastructureLogger(PLUGIN_NAME);
    this.#messenger = createBuildMessenger(this.options);
  }

  /** A free port: the given one, or the first free one from 8080 (`WEBPACK_DEV_SERVER_BASE_PORT`). */
  static getFreePort(port: number | string | undefined, host?: string): Promise<number> {
    return findFreePort(normalizePort(port), host);
  }

  /**
   * webpack-dev-server 5's `Server.findIp`: with `'v4'`/`'v6'`, the first
   * address of that family (only internal or only external ones when
   * `isInternal` is given; IPv6 in brackets); with a gateway address, the
   * address of the interface whose subnet contains it.
   */
  static findIp(gatewayOrFamily: string, isInternal?: boolean): string | undefined {
    return findIp(gatewayOrFamily, isInternal);
  }

  /** `findIp(family, false)`: this machine's first external address (deprecated in webpack-dev-server 5). */
  static internalIP(family: 'v4' | 'v6'): Promise<string | undefined> {
    return Promise.resolve(findIp(family, false));
  }

  /** `findIp(family, false)`, synchronously (deprecated in webpack-dev-server 5). */
  static internalIPSync(family: 'v4' | 'v6'): string | undefined {
    return findIp(family, false);
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
    // Through broadcast, so a client that stopped reading is dropped here too (the
    // socket server's maxBufferedAmount guard). Any type may be sent, as webpack-dev-server allows.
    this.socketServer?.broadcast({ type, data, params } as ServerMessage);
  }

  #broadcast(messages: readonly ServerMessage[]): void {
    const sockets = this.socketServer;
    if (!sockets) return;
    sockets.batch(() => {
      for (const message of messages) sockets.broadcast(message);
    });
  }

  async #start(): Promise<void> {
    const { options } = this;
    const host = resolveHost(options.host);
    const port = await findFreePort(options.port, host);
    const primary = getPrimaryCompiler(this.compiler);

    // The node server first (not listening yet): a custom socket server class
    // attaches to it when it is constructed, and a custom server module
    // decides whether it is TLS. Requests reach the chain built below.
    let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const server = await createNodeServer(
      options.server,
      (req, res) => {
        if (this.socketServer?.handleRequest(req, res)) return;
        handle?.(req, res);
      },
      process.cwd(),
    );
    this.server = server;
    // webpack-dev-server's isTlsServer.
    const secure =
      typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function';

    // Sockets and hooks before the watch starts, so the very first build's frames are not missed.
    if (options.webSocketServer) {
      const { type, implementation, options: socketOptions } = options.webSocketServer;
      if (
        type === 'sockjs' &&
        (socketOptions.host !== undefined || socketOptions.port !== undefined)
      ) {
        this.logger.warn(
          "SockJS only supports client mode and does not support custom hostname and port options. Please consider using 'ws' if you need to customize these options.",
        );
      }
      const sockets = createSocketServer({
        transport:
          type === 'custom' && implementation
            ? createCustomTransport(implementation, this, this.logger)
            : type === 'custom'
              ? 'ws'
              : type,
        path: socketOptions.path,
        ...createHostCheckOptions(options, host),
      });
      sockets.on('connection', (client) => {
        for (const message of this.#messenger.greeting()) sockets.send(client, message);
      });
      this.socketServer = sockets;
      this.#push = createPushChannel(sockets, options.hotPush);
      if (type === 'ws' && socketOptions.port !== undefined) {
        this.#socketListener = await listenForSockets(
          sockets,
          socketOptions.port,
          socketOptions.host,
        );
      }
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
        broadcastBuild: (messages, stats) => {
          if (this.#push && this.socketServer) this.#push.broadcastBuild(messages, stats);
          else this.#broadcast(messages);
        },
        onDone: (stats) => {
          this.stats = stats;
          if (!stats.hasErrors()) this.#built = true;
        },
      });
    }

    applyWatchDefaults(this.compiler);
    // After stop(), the same middleware (and so the same in-memory output)
    // serves again: webpack does not re-emit assets it has already written
    // through this compiler, so a fresh memory fs would stay empty (404s).
    const middleware =
      this.#middleware ?? createMemfsMiddleware(this.compiler, options.devMiddleware);
    if (this.#middleware) resumeWatching(middleware, this.compiler, this.logger);
    this.#middleware = middleware;
    this.middleware = middleware;
    this.#proxy = createProxySetup(options.proxy, {
      context: primary.context,
      logger: this.logger,
    });

    handle = composeRoutes(
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
        firstBuildQuery: () => {
          if (this.#built) return undefined;
          const entry = createClientEntryOptions(options, {
            ...(host === undefined ? {} : { host }),
            port,
            secure,
          });
          if (!entry || !options.webSocketServer) return undefined;
          // The page has no SockJS client: sockjs servers take a raw WebSocket at <path>/websocket.
          if (options.webSocketServer.type === 'sockjs' && entry.pathname) {
            entry.pathname = `${entry.pathname.replace(/\/$/, '')}/websocket`;
          }
          return `?${encodeClientQuery(entry)}`;
        },
      },
    );
    const custom = options.webSocketServer && options.webSocketServer.type === 'custom';
    this.#sockets = trackConnections(server, [
      (req, socket, head) => this.socketServer?.upgrade(req, socket, head) ?? false,
      (req, socket, head) => this.#proxy?.upgrade(req, socket, head) ?? false,
      // A custom socket server took its upgrades in its own listener: leave them open.
      () => Boolean(custom),
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
      // An edit made once start() has resolved must reload the page: chokidar reports
      // changes only after its first scan of the folders.
      await Promise.all(this.#watchers.map((watcher) => watcher.ready));
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
    this.#push = undefined;
    await sockets?.close();
    const middleware = this.middleware;
    this.middleware = undefined;
    if (middleware) {
      await new Promise<void>((resolve) => middleware.close(() => resolve()));
    }
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, this.#sockets);
    const socketListener = this.#socketListener;
    this.#socketListener = undefined;
    await socketListener?.close();
    this.#urls = undefined;
  }
}

/**
 * Starts the compiler's watch again for a middleware whose watch `stop()`
 * closed, with each child's own `watchOptions` (as the middleware started it).
 */
function resumeWatching(
  middleware: MemfsMiddleware,
  compiler: Compiler | MultiCompiler,
  logger: Logger,
): void {
  const { context } = middleware;
  const onError = (error: Error | null): void => {
    if (error) logger.error(error);
  };
  if (compiler.watching) context.watching = compiler.watching;
  else if ('compilers' in compiler) {
    context.watching = compiler.watch(
      getChildCompilers(compiler).map((child) => child.options.watchOptions ?? {}),
      onError,
    );
  } else context.watching = compiler.watch(compiler.options.watchOptions ?? {}, onError);
}
