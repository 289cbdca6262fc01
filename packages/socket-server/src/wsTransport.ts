import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type ConnectionHandlers,
  getPathname,
  READY_STATE,
  type SocketTransport,
  type SocketTransportFactory,
  type TransportConnection,
  type TransportContext,
} from './transport';

/** webpack-dev-server's ws heartbeat: one ping a second. */
export const DEFAULT_HEARTBEAT_INTERVAL = 1000;

export interface WsTransportOptions {
  /**
   * Milliseconds between pings; a client that has not answered the previous
   * ping by the next tick is terminated. `false` or `0` turns it off.
   * @default 1000
   */
  heartbeatInterval?: number | false;
}

interface TrackedSocket {
  ws: WebSocket;
  alive: boolean;
  handlers: ConnectionHandlers;
}

function createWsConnection(ws: WebSocket, socket: Duplex): TransportConnection {
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(text) {
      if (ws.readyState === READY_STATE.OPEN) ws.send(text);
    },
    // The upgraded socket itself: ws writes each frame to it (and corks it
    // for a frame's header and payload; the counts nest).
    cork() {
      socket.cork();
    },
    uncork() {
      socket.uncork();
    },
    close(code, reason) {
      ws.close(code, reason);
    },
    terminate() {
      ws.terminate();
    },
  };
}

/**
 * The default transport: `ws` with `noServer`, taking upgrades on exactly
 * `path` (a query string is allowed, as ws and webpack-dev-server compare the
 * pathname only) and leaving all others to other handlers.
 */
export function createWsTransport(options: WsTransportOptions = {}): SocketTransportFactory {
  const interval =
    options.heartbeatInterval === undefined
      ? DEFAULT_HEARTBEAT_INTERVAL
      : options.heartbeatInterval || 0;
  return (context: TransportContext): SocketTransport => {
    const wss = new WebSocketServer({
      noServer: true,
      // The server keeps its own client set; ws need not track them twice.
      clientTracking: false,
      maxPayload: context.maxPayload,
      // HMR frames are small and compressing them costs more than it saves.
      perMessageDeflate: false,
    });
    const sockets = new Set<TrackedSocket>();
    let closed = false;

    const tick = (): void => {
      for (const tracked of sockets) {
        if (!tracked.alive) {
          tracked.ws.terminate();
          continue;
        }
        tracked.alive = false;
        if (tracked.ws.readyState === READY_STATE.OPEN) tracked.ws.ping();
      }
    };
    const timer = interval > 0 ? setInterval(tick, interval) : undefined;
    // A dev server's heartbeat must never be what keeps Node running.
    timer?.unref();

    const onSocket = (ws: WebSocket, req: IncomingMessage, socket: Duplex): void => {
      const tracked: TrackedSocket = {
        ws,
        alive: true,
        handlers: { message: () => {}, closed: () => {} },
      };
      sockets.add(tracked);
      ws.on('pong', () => {
        tracked.alive = true;
      });
      // ws reports protocol violations (oversized or invalid frames) here and
      // then closes the socket itself; an unhandled 'error' would crash us.
      ws.on('error', () => {});
      ws.on('close', () => {
        sockets.delete(tracked);
        tracked.handlers.closed();
      });
      tracked.handlers = context.accept(createWsConnection(ws, socket), {
        url: req.url ?? '',
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
      });
      ws.on('message', (data) => tracked.handlers.message(data));
    };

    return {
      name: 'ws',
      handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
        if (getPathname(req.url) !== context.path) return false;
        if (closed) {
          socket.destroy();
          return true;
        }
        if (context.refuseUpgrade(req, socket)) return true;
        // A client that resets mid-handshake must not raise an unhandled error.
        socket.on('error', () => {});
        wss.handleUpgrade(req, socket, head, (ws, request) => onSocket(ws, request, socket));
        return true;
      },
      close(): Promise<void> {
        closed = true;
        if (timer) clearInterval(timer);
        for (const tracked of sockets) tracked.ws.terminate();
        sockets.clear();
        return new Promise((resolve) => wss.close(() => resolve()));
      },
    };
  };
}
