import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHotMessage, createLiveReloadMessage, createOkMessage } from '@hmrkit/protocol';
import { waitFor } from '@hmrkit/test-utils';
import WebSocket from 'ws';
import { createSocketServer, type SocketServer, type SocketServerOptions } from '../src/index';

export interface Harness {
  http: Server;
  sockets: SocketServer;
  port: number;
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 (free port) with a socket server attached, which
 * greets each accepted client with `hot`, `liveReload`, `ok`, as a dev-server would.
 */
export async function startHarness(
  options: SocketServerOptions = {},
  greet = true,
): Promise<Harness> {
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end('not found');
  });
  const sockets = createSocketServer(options);
  sockets.attach(http);
  if (greet) {
    sockets.on('connection', (client) => {
      sockets.send(client, createHotMessage());
      sockets.send(client, createLiveReloadMessage());
      sockets.send(client, createOkMessage());
    });
  }
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    http,
    sockets,
    port,
    async close() {
      await sockets.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** What a test client saw on one connection. */
export interface Recorded {
  ws: WebSocket;
  /** Text frames as received (for sockjs: the raw transport frames, `o`, `a[...]`, `c[...]`). */
  frames: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once a frame matching `predicate` has arrived. */
  next(predicate?: (frame: string) => boolean): Promise<string>;
}

export interface ConnectOptions {
  host?: string;
  origin?: string;
  path?: string;
  /** Do not answer pings (a dead client). */
  ignorePings?: boolean;
}

/** A `ws` client sending exactly the given Host and Origin (none when undefined). */
export function connect(port: number, options: ConnectOptions = {}): Recorded {
  const path = options.path ?? '/ws';
  const headers: Record<string, string> = {};
  if (options.host !== undefined) headers.host = options.host;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
    headers,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    autoPong: !options.ignorePings,
    perMessageDeflate: false,
  });
  return record(ws);
}

export function record(ws: WebSocket): Recorded {
  const frames: string[] = [];
  const waiters: { predicate: (frame: string) => boolean; resolve: (f: string) => void }[] = [];
  ws.on('message', (data) => {
    const text = data.toString();
    frames.push(text);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(text);
      }
    }
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return {
    ws,
    frames,
    opened,
    closed,
    next(predicate = () => true) {
      const seen = frames.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Closes a client and waits for the close to complete. */
export async function closeClient(client: Recorded): Promise<void> {
  if (client.ws.readyState === WebSocket.CLOSED) return;
  client.ws.close();
  await client.closed;
}

/** The sockjs websocket transport URL path for a new random session. */
export function sockjsSessionPath(prefix = '/ws'): string {
  const server = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const session = Math.random().toString(36).slice(2, 10);
  return `${prefix}/${server}/${session}/websocket`;
}

/** The messages inside a sockjs `a[...]` frame. */
export function sockjsMessages(frame: string): string[] {
  if (!frame.startsWith('a')) return [];
  return JSON.parse(frame.slice(1)) as string[];
}

export { waitFor };
