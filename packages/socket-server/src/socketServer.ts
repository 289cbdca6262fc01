import { EventEmitter } from 'node:events';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import {
  createErrorMessage,
  DEFAULT_SOCKET_PATH,
  decodeFrame,
  type FrameEnvelope,
  INVALID_HOST_ORIGIN_MESSAGE,
  type ServerMessage,
  serializeMessage,
} from '@hmrkit/protocol';
import { createInvalidOptionError } from './errors';
import { type ConnectionRefusal, checkConnectionHeaders, type HostCheckOptions } from './hostCheck';
import { createSockjsTransport, type SockjsTransportOptions } from './sockjsTransport';
import {
  type ConnectionHandlers,
  type ConnectionRequest,
  READY_STATE,
  type SocketTransport,
  type SocketTransportFactory,
  type TransportConnection,
  type TransportContext,
} from './transport';
import { createWsTransport, type WsTransportOptions } from './wsTransport';

/** The largest frame a client may send by default. HMR clients send nothing; 64 KiB is plenty. */
export const DEFAULT_MAX_PAYLOAD: number = 64 * 1024;

/** A client whose unsent data passes this many bytes is dropped. */
export const DEFAULT_MAX_BUFFERED_AMOUNT: number = 16 * 1024 * 1024;

/** How long `close()` waits for clients to answer the close frame before dropping them. */
export const DEFAULT_CLOSE_TIMEOUT = 1000;

export interface SocketServerOptions extends HostCheckOptions, WsTransportOptions {
  /**
   * `'ws'` (the `ws` package), `'sockjs'` (the optional peer `sockjs`), or a
   * factory for your own transport (see `SocketTransport`).
   * @default 'ws'
   */
  transport?: 'ws' | 'sockjs' | SocketTransportFactory;
  /**
   * The socket path. ws takes upgrades on exactly this pathname; sockjs uses
   * it as its prefix unless `sockjs.prefix` is given.
   * @default '/ws'
   */
  path?: string;
  /** Options of the sockjs transport (only with `transport: 'sockjs'`). */
  sockjs?: SockjsTransportOptions;
  /** The largest frame a client may send, in bytes; larger ones close the connection. @default 65536 */
  maxPayload?: number;
  /** A client with more unsent bytes than this is terminated instead of buffering more. @default 16 MiB */
  maxBufferedAmount?: number;
  /**
   * Refuse a connection with a bad Host/Origin with HTTP 403 before the
   * upgrade. By default (like webpack-dev-server) the upgrade completes and
   * the client is sent `{"type":"error","data":"Invalid Host/Origin header"}`
   * and closed, which its client shows to the user.
   * @default false
   */
  rejectBeforeUpgrade?: boolean;
  /** How long `close()` waits for clients to close cleanly before terminating them, in ms. @default 1000 */
  closeTimeout?: number;
}

/** One connected client, the same shape whatever the transport. */
export interface SocketClient {
  /** A number unique within this server. */
  readonly id: number;
  /** The transport's name (`ws`, `sockjs`, or a custom one). */
  readonly transport: string;
  /** The request the client connected with (URL, headers, remote address). */
  readonly request: ConnectionRequest;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  readonly isOpen: boolean;
  /** Bytes queued for this client and not yet sent. */
  readonly bufferedAmount: number;
  /** Sends a text frame as is. Prefer `server.send(client, message)`. */
  send(text: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** The events of a socket server and their listeners. */
export interface SocketServerEvents {
  /** A client passed the Host/Origin checks and is in `clients`: greet it here. */
  connection: (client: SocketClient, request: ConnectionRequest) => void;
  /** A client sent a frame that decodes to a `{type, ...}` object. Others are dropped. */
  message: (client: SocketClient, message: FrameEnvelope) => void;
  /** A client left `clients` (closed, terminated, or dropped for backpressure or heartbeat). */
  disconnect: (client: SocketClient) => void;
  /** A connection was refused by the Host/Origin checks. */
  rejected: (request: ConnectionRequest, reason: ConnectionRefusal) => void;
}

export interface SocketServer {
  /** The connected, accepted clients (live: it changes as clients come and go). */
  readonly clients: ReadonlySet<SocketClient>;
  /** The socket path (`/ws` by default). */
  readonly path: string;
  /** The transport's name. */
  readonly transport: string;
  /**
   * Sends a message to every open client (or those `filter` accepts);
   * serializes it once. Returns how many got it.
   */
  broadcast(message: ServerMessage, filter?: (client: SocketClient) => boolean): number;
  /** Sends a message to one client. Returns false if it is not open or was dropped. */
  send(client: SocketClient, message: ServerMessage): boolean;
  /**
   * Runs `fn`, holding back what it sends until it returns, then writing each
   * client's frames at once (where the transport can: ws can, sockjs sends as
   * before). A build's `hash` and `ok` then reach the page in one piece
   * instead of waking it (and on a busy machine, losing the CPU) per frame.
   * Returns what `fn` returns.
   */
  batch<T>(fn: () => T): T;
  /**
   * Give it every `upgrade` of your HTTP server. Returns true if it took the
   * request (its path is ours); false leaves it untouched for other handlers.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Give it HTTP requests first when the transport is sockjs (its `/info` and
   * polling transports are plain HTTP). Returns true if it answered.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Listens on the server's `upgrade` event (and, for sockjs, puts itself in
   * front of the `request` listeners present now). Returns a function that
   * undoes it.
   */
  attach(server: HttpServer | HttpsServer): () => void;
  on<E extends keyof SocketServerEvents>(event: E, listener: SocketServerEvents[E]): this;
  once<E extends keyof SocketServerEvents>(event: E, listener: SocketServerEvents[E]): this;
  off<E extends keyof SocketServerEvents>(event: E, listener: SocketServerEvents[E]): this;
  /** Closes every client, stops the heartbeat and the transport. Safe to call twice. */
  close(): Promise<void>;
}

function normalizePath(path: string | undefined): string {
  const value = path ?? DEFAULT_SOCKET_PATH;
  if (!value.startsWith('/')) {
    throw createInvalidOptionError(
      'path',
      `path must start with "/" (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) {
    throw createInvalidOptionError(
      name,
      `${name} must be a positive number (got ${String(value)})`,
    );
  }
  return value;
}

function resolveTransport(options: SocketServerOptions): SocketTransportFactory {
  const transport = options.transport ?? 'ws';
  if (typeof transport === 'function') return transport;
  switch (transport) {
    case 'ws':
      return createWsTransport(options);
    case 'sockjs':
      return createSockjsTransport(options.sockjs);
    default: {
      const unknownTransport: never = transport;
      throw createInvalidOptionError(
        'transport',
        `unknown transport ${JSON.stringify(unknownTransport)}`,
      );
    }
  }
}

const requestOf = (req: IncomingMessage): ConnectionRequest => ({
  url: req.url ?? '',
  headers: req.headers,
  remoteAddress: req.socket.remoteAddress,
});

class SocketServerImpl extends EventEmitter implements SocketServer {
  readonly clients: Set<SocketClient> = new Set();
  readonly path: string;
  readonly transport: string;
  readonly #options: SocketServerOptions;
  readonly #maxBufferedAmount: number;
  readonly #closeTimeout: number;
  readonly #maxPayload: number;
  readonly #impl: SocketTransport;
  readonly #closing = new Map<SocketClient, () => void>();
  readonly #connections = new WeakMap<SocketClient, TransportConnection>();
  #nextId = 1;
  #closed: Promise<void> | undefined;

  constructor(options: SocketServerOptions) {
    super();
    this.#options = options;
    this.path = normalizePath(options.path);
    this.#maxBufferedAmount = positive(
      'maxBufferedAmount',
      options.maxBufferedAmount,
      DEFAULT_MAX_BUFFERED_AMOUNT,
    );
    this.#closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.#maxPayload = positive('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD);
    const context: TransportContext = {
      path: this.path,
      maxPayload: this.#maxPayload,
      accept: (connection, request) => this.#accept(connection, request),
      refuseUpgrade: (req, socket) =>
        this.#refuseEarly(req, () => {
          if (!socket.destroyed) {
            socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
            socket.destroy();
          }
        }),
      refuseRequest: (req, res) =>
        this.#refuseEarly(req, () => {
          res.statusCode = 403;
          res.end(INVALID_HOST_ORIGIN_MESSAGE);
        }),
    };
    this.#impl = resolveTransport(options)(context);
    this.transport = this.#impl.name;
  }

  #refuseEarly(req: IncomingMessage, refuse: () => void): boolean {
    if (!this.#options.rejectBeforeUpgrade) return false;
    const reason = checkConnectionHeaders(req.headers, this.#options);
    if (reason === undefined) return false;
    refuse();
    this.emit('rejected', requestOf(req), reason);
    return true;
  }

  #accept(connection: TransportConnection, request: ConnectionRequest): ConnectionHandlers {
    const ignore: ConnectionHandlers = { message: () => {}, closed: () => {} };
    if (this.#closed) {
      connection.terminate();
      return ignore;
    }
    const reason = checkConnectionHeaders(request.headers, this.#options);
    if (reason !== undefined) {
      connection.send(serializeMessage(createErrorMessage(INVALID_HOST_ORIGIN_MESSAGE)));
      // close(), not terminate(): the error frame must get out first (over TLS
      // it is written asynchronously).
      connection.close();
      this.emit('rejected', request, reason);
      return ignore;
    }
    const client = this.#createClient(connection, request);
    this.#connections.set(client, connection);
    this.clients.add(client);
    let gone = false;
    const handlers: ConnectionHandlers = {
      message: (data) => {
        if (gone) return;
        // Client frames are untrusted: decoded by the protocol package, which
        // never throws; anything that is not a `{type}` object is dropped.
        const decoded = decodeFrame(data, { maxBytes: this.#maxPayload });
        if (decoded.ok) this.emit('message', client, decoded.message);
      },
      closed: () => {
        if (gone) return;
        gone = true;
        this.clients.delete(client);
        this.#closing.get(client)?.();
        this.emit('disconnect', client);
      },
    };
    this.emit('connection', client, request);
    return handlers;
  }

  #createClient(connection: TransportConnection, request: ConnectionRequest): SocketClient {
    const impl = (): SocketTransport | undefined => this.#impl;
    return {
      id: this.#nextId++,
      // A transport may accept connections while it is being created, before
      // the server has its name: read it lazily.
      get transport() {
        return impl()?.name ?? '';
      },
      request,
      get readyState() {
        return connection.readyState;
      },
      get isOpen() {
        return connection.readyState === READY_STATE.OPEN;
      },
      get bufferedAmount() {
        return connection.bufferedAmount;
      },
      send: (text) => connection.send(text),
      close: (code, reason) => connection.close(code, reason),
      terminate: () => connection.terminate(),
    };
  }

  #sendText(client: SocketClient, text: string): boolean {
    if (!client.isOpen) return false;
    // A client that stopped reading would make us buffer every frame forever.
    if (client.bufferedAmount > this.#maxBufferedAmount) {
      client.terminate();
      return false;
    }
    try {
      client.send(text);
      return true;
    } catch {
      client.terminate();
      return false;
    }
  }

  broadcast(message: ServerMessage, filter?: (client: SocketClient) => boolean): number {
    const text = serializeMessage(message);
    let sent = 0;
    for (const client of this.clients) {
      if (filter && !filter(client)) continue;
      if (this.#sendText(client, text)) sent++;
    }
    return sent;
  }

  send(client: SocketClient, message: ServerMessage): boolean {
    return this.#sendText(client, serializeMessage(message));
  }

  batch<T>(fn: () => T): T {
    const corked: TransportConnection[] = [];
    for (const client of this.clients) {
      const connection = this.#connections.get(client);
      if (connection?.cork && connection.uncork) {
        connection.cork();
        corked.push(connection);
      }
    }
    try {
      return fn();
    } finally {
      for (const connection of corked) connection.uncork?.();
    }
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    try {
      return this.#impl.handleUpgrade(req, socket, head);
    } catch {
      // A transport must never take the process down over one bad request.
      socket.destroy();
      return true;
    }
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.#impl.handleRequest) return false;
    try {
      return this.#impl.handleRequest(req, res);
    } catch {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
      return true;
    }
  }

  attach(server: HttpServer | HttpsServer): () => void {
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      this.upgrade(req, socket, head);
    };
    server.on('upgrade', onUpgrade);
    if (!this.#impl.handleRequest) return () => server.off('upgrade', onUpgrade);
    // sockjs answers plain HTTP too: run it before the listeners already there
    // and call them only for requests that are not ours.
    const previous = server.listeners('request') as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[];
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      if (this.handleRequest(req, res)) return;
      for (const listener of previous) listener.call(server, req, res);
    };
    server.removeAllListeners('request');
    server.on('request', onRequest);
    return () => {
      server.off('upgrade', onUpgrade);
      server.off('request', onRequest);
      for (const listener of previous) server.on('request', listener);
    };
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const pending = [...this.clients].map(
      (client) =>
        new Promise<void>((resolve) => {
          this.#closing.set(client, resolve);
          client.close(1001, 'Server closing');
        }),
    );
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#closeTimeout);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const client of this.clients) client.terminate();
    this.clients.clear();
    this.#closing.clear();
    await this.#impl.close();
  }
}

/**
 * Creates a webpack-dev-server 5 compatible HMR socket server. It does not
 * listen by itself: `attach(httpServer)`, or call `upgrade(req, socket, head)`
 * from your own `upgrade` listener.
 */
export function createSocketServer(options: SocketServerOptions = {}): SocketServer {
  return new SocketServerImpl(options);
}
