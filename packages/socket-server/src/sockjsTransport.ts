import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { createMissingPeerError } from './errors';
import {
  type ConnectionHandlers,
  type ConnectionRequest,
  READY_STATE,
  type SocketTransport,
  type SocketTransportFactory,
  type TransportConnection,
  type TransportContext,
} from './transport';

export interface SockjsTransportOptions {
  /**
   * The URL prefix sockjs answers under (`<prefix>/info`,
   * `<prefix>/<server>/<session>/websocket`, …). webpack-dev-server 5 uses
   * its `prefix` option, else `path`; so do we.
   * @default the server's `path` (`/ws`)
   */
  prefix?: string;
  /**
   * The sockjs-client script sockjs's iframe transports load.
   * @default '/__webpack_dev_server__/sockjs.bundle.js' (webpack-dev-server's)
   */
  sockjsUrl?: string;
  /** sockjs's own heartbeat (an `h` frame, or a ping on websocket), in ms. @default 25000 */
  heartbeatDelay?: number;
  /** How long sockjs keeps a polling session whose client went away, in ms. @default 5000 */
  disconnectDelay?: number;
}

// The few parts of sockjs 0.3.x we use, typed here so that our published
// types do not depend on @types/sockjs.
interface SockjsConnection extends EventEmitter {
  readonly readyState: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly url?: string;
  readonly headers?: Record<string, string>;
  write(text: string): boolean;
  close(code?: number, reason?: string): boolean;
  destroy(): void;
}
type SockjsHandler = (req: IncomingMessage, resOrSocket: unknown, head?: Buffer) => boolean;
interface SockjsServer extends EventEmitter {
  middleware(options: { prefix: string }): SockjsHandler;
}
interface SockjsModule {
  createServer(options: Record<string, unknown>): SockjsServer;
}

function loadSockjs(): SockjsModule {
  try {
    // Loaded only when chosen: sockjs is an optional peer dependency.
    return createRequire(import.meta.url)('sockjs') as SockjsModule;
  } catch (error) {
    throw createMissingPeerError('sockjs', error);
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** sockjs's unframed `<prefix>/websocket` endpoint (its session receiver says "websocket-raw"). */
function isRawEndpoint(conn: object): boolean {
  const session = (conn as { _session?: { recv?: { protocol?: string } } })._session;
  return session?.recv?.protocol === 'websocket-raw';
}

/**
 * sockjs's raw websocket endpoint (faye-websocket) throws for a close code
 * other than 1000 or 3000–4999, so a server closing with 1001 ("going away")
 * would crash. Codes outside that range become 1000 there.
 */
export function toRawCloseCode(code: number | undefined): number | undefined {
  if (code === undefined || code === 1000 || (code >= 3000 && code <= 4999)) return code;
  return 1000;
}

const DEFAULT_SOCKJS_URL = '/__webpack_dev_server__/sockjs.bundle.js';

interface SocketInfo {
  req: IncomingMessage;
  socket: Duplex & { writableLength?: number };
}

function keyOf(address: string | undefined, port: number | undefined): string {
  return `${address ?? ''}|${port ?? ''}`;
}

/**
 * The sockjs transport (webpack-dev-server 5's `webSocketServer: 'sockjs'`).
 * Needs the optional peer `sockjs`, loaded only when this is created. sockjs
 * answers both HTTP requests (`/info`, xhr polling and streaming) and
 * upgrades (its websocket transports) under the prefix.
 */
export function createSockjsTransport(
  options: SockjsTransportOptions = {},
): SocketTransportFactory {
  const sockjs = loadSockjs();
  return (context: TransportContext): SocketTransport => {
    const prefix = options.prefix ?? context.path;
    const server = sockjs.createServer({
      sockjs_url: options.sockjsUrl ?? DEFAULT_SOCKJS_URL,
      heartbeat_delay: options.heartbeatDelay ?? 25_000,
      disconnect_delay: options.disconnectDelay ?? 5000,
      // faye-websocket (sockjs's websocket layer) enforces the frame limit.
      faye_server_options: { maxLength: context.maxPayload },
      // sockjs logs every request to the console by default.
      log: () => {},
    });
    // sockjs builds regular expressions from the prefix: escape it so a dot
    // in a path is a dot.
    const handler = server.middleware({ prefix: escapeRegExp(prefix) });
    const matcher = new RegExp(`^${escapeRegExp(prefix)}(?:[/?].*)?$`);

    // sockjs copies only a few request headers onto its connection and drops
    // Origin, which the checks need. Instead of patching sockjs, remember the
    // request of every TCP connection we route to it, and find it again from
    // the connection's remote address and port.
    const requests = new Map<string, SocketInfo>();
    const sockets = new Set<Duplex>();
    const connections = new Set<SockjsConnection>();
    let closed = false;

    const remember = (req: IncomingMessage, socket: Duplex): void => {
      const key = keyOf(req.socket.remoteAddress, req.socket.remotePort);
      if (!requests.has(key)) {
        socket.once('close', () => {
          requests.delete(key);
          sockets.delete(socket);
        });
      }
      requests.set(key, { req, socket });
      sockets.add(socket);
    };

    server.on('connection', (conn: SockjsConnection) => {
      if (closed) {
        conn.close(1001, 'Server closing');
        return;
      }
      const info = requests.get(keyOf(conn.remoteAddress, conn.remotePort));
      const request: ConnectionRequest = info
        ? { url: info.req.url ?? '', headers: info.req.headers, remoteAddress: conn.remoteAddress }
        : // Unknown origin: the checks will refuse it (no Origin header).
          { url: conn.url ?? '', headers: { ...conn.headers }, remoteAddress: conn.remoteAddress };
      const socket = info?.socket;
      const connection: TransportConnection = {
        get readyState() {
          return conn.readyState ?? READY_STATE.CLOSED;
        },
        get bufferedAmount() {
          // sockjs has no bufferedAmount; the TCP socket's queue is what grows
          // when the client stops reading.
          return socket?.writableLength ?? 0;
        },
        send(text) {
          if (conn.readyState === READY_STATE.OPEN) conn.write(text);
        },
        close(code, reason) {
          conn.close(isRawEndpoint(conn) ? toRawCloseCode(code) : code, reason);
        },
        terminate() {
          conn.close(isRawEndpoint(conn) ? 1000 : 1001, 'Terminated');
          socket?.destroy();
        },
      };
      connections.add(conn);
      let handlers: ConnectionHandlers | undefined;
      conn.on('close', () => {
        connections.delete(conn);
        handlers?.closed();
      });
      conn.on('error', () => {});
      handlers = context.accept(connection, request);
      conn.on('data', (data: unknown) => handlers?.message(data));
    });

    return {
      name: 'sockjs',
      handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
        if (!matcher.test(req.url ?? '')) return false;
        if (closed) {
          socket.destroy();
          return true;
        }
        if (context.refuseUpgrade(req, socket)) return true;
        socket.on('error', () => {});
        remember(req, socket);
        if (!handler(req, socket, head)) socket.destroy();
        return true;
      },
      handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
        if (!matcher.test(req.url ?? '')) return false;
        if (closed) {
          res.statusCode = 503;
          res.end();
          return true;
        }
        if (context.refuseRequest(req, res)) return true;
        remember(req, req.socket);
        if (!handler(req, res)) {
          res.statusCode = 404;
          res.end();
        }
        return true;
      },
      close(): Promise<void> {
        closed = true;
        for (const conn of connections) conn.close(1001, 'Server closing');
        connections.clear();
        // Polling sessions hold their HTTP responses open; end them too.
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        requests.clear();
        return Promise.resolve();
      },
    };
  };
}
