import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DevServerError } from './errors';

/** Takes an upgrade request (HMR socket, proxied socket); false if it is not theirs. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/**
 * Wires the node server's connection-level events: open sockets are tracked
 * (so `stop()` can destroy keep-alive and upgraded ones), upgrades go to the
 * first handler that takes them (others are destroyed). Malformed requests
 * are left to Node, which answers them itself with the right status (400, 431
 * for oversized headers or URL, 408 for a header timeout) and closes the
 * socket; a `clientError` listener would replace those answers. Returns the
 * live sockets.
 */
export function trackConnections(server: Server, upgrades: readonly UpgradeHandler[]): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!upgrades.some((upgrade) => upgrade(req, socket, head))) socket.destroy();
  });
  return sockets;
}

/** Listens on `port`/`host`; a busy port rejects with `PORT_IN_USE`. */
export function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

/** Closes the server; destroys the sockets that would keep it open (keep-alive, upgraded). */
export async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  if (server.listening) {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }
  sockets.clear();
}

/** The extra listener of `webSocketServer.options.port`. */
export interface SocketListener {
  close(): Promise<void>;
}

/**
 * `webSocketServer.options.port` (and `.host`): the HMR socket also listens
 * there, as webpack-dev-server's `ws.Server({ port })` does; the client dials
 * it. Only upgrades on the socket path are served; plain requests get 426.
 */
export async function listenForSockets(
  sockets: { upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean },
  port: number,
  host: string | undefined,
): Promise<SocketListener> {
  const server = createServer((_req, res) => {
    res.statusCode = 426;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Upgrade Required');
  });
  const open = trackConnections(server, [
    (req, socket, head) => sockets.upgrade(req, socket, head),
  ]);
  await listen(server, port, host);
  return { close: () => closeServer(server, open) };
}
