import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHashMessage,
  createInvalidMessage,
  createOkMessage,
  type ServerMessage,
} from '@hmrkit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  createSocketServer,
  type SocketClient,
  SocketServerError,
  type SocketTransportFactory,
} from '../src/index';
import {
  closeClient,
  connect,
  type Harness,
  type Recorded,
  startHarness,
  waitFor,
} from './helpers';

const SAME_ORIGIN = (port: number) => ({
  host: `127.0.0.1:${port}`,
  origin: `http://127.0.0.1:${port}`,
});

let harness: Harness | undefined;
const clients: Recorded[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await harness?.close();
  harness = undefined;
});

function open(port: number, extra: Parameters<typeof connect>[1] = {}): Recorded {
  const client = connect(port, { ...SAME_ORIGIN(port), ...extra });
  clients.push(client);
  return client;
}

describe('ws transport', () => {
  it('greets, broadcasts to several clients, sends to one, and closes', async () => {
    harness = await startHarness();
    const seen: SocketClient[] = [];
    harness.sockets.on('connection', (client, request) => {
      expect(request.headers.origin).toBe(`http://127.0.0.1:${harness!.port}`);
      seen.push(client);
    });
    const a = open(harness.port);
    const b = open(harness.port);
    const c = open(harness.port);
    for (const client of [a, b, c]) await client.next((f) => f === '{"type":"ok"}');
    expect(a.frames).toEqual(['{"type":"hot"}', '{"type":"liveReload"}', '{"type":"ok"}']);
    expect(harness.sockets.clients.size).toBe(3);
    expect(seen.map((client) => client.transport)).toEqual(['ws', 'ws', 'ws']);
    expect(new Set(seen.map((client) => client.id)).size).toBe(3);

    expect(harness.sockets.broadcast(createHashMessage('abc123'))).toBe(3);
    for (const client of [a, b, c]) {
      expect(await client.next((f) => f.includes('hash'))).toBe('{"type":"hash","data":"abc123"}');
    }

    expect(harness.sockets.send(seen[1]!, createInvalidMessage())).toBe(true);
    await b.next((f) => f === '{"type":"invalid"}');
    // Frames keep their order on a socket: once a later broadcast has arrived, an `invalid`
    // sent to a or c would have arrived before it.
    harness.sockets.broadcast(createHashMessage('after'));
    for (const client of [a, c]) await client.next((f) => f.includes('"after"'));
    expect(a.frames).not.toContain('{"type":"invalid"}');
    expect(c.frames).not.toContain('{"type":"invalid"}');

    const closes = [a, b, c].map((client) => client.closed);
    await harness.sockets.close();
    for (const closed of await Promise.all(closes)) expect(closed.code).toBe(1001);
    expect(harness.sockets.clients.size).toBe(0);
  });

  it('serializes a broadcast once and skips clients that are not open', async () => {
    harness = await startHarness({}, false);
    const a = open(harness.port);
    const b = open(harness.port);
    await Promise.all([a.opened, b.opened]);
    await waitFor(() => harness!.sockets.clients.size === 2);
    let reads = 0;
    const message = {
      get type() {
        reads++;
        return 'ok';
      },
    } as ServerMessage;
    expect(harness.sockets.broadcast(message)).toBe(2);
    expect(reads).toBe(1);

    const [first] = harness.sockets.clients;
    first!.close();
    expect(first!.isOpen).toBe(false);
    expect(harness.sockets.broadcast(createOkMessage())).toBe(1);
    expect(harness.sockets.send(first!, createOkMessage())).toBe(false);
  });

  it('reports disconnects and keeps `clients` live', async () => {
    harness = await startHarness();
    const left: number[] = [];
    harness.sockets.on('disconnect', (client) => left.push(client.id));
    const a = open(harness.port);
    await a.next((f) => f === '{"type":"ok"}');
    const [client] = harness.sockets.clients;
    await closeClient(a);
    await waitFor(() => left.length === 1);
    expect(left).toEqual([client!.id]);
    expect(harness.sockets.clients.size).toBe(0);
  });

  it('takes only upgrades on its exact path and leaves others to other handlers', async () => {
    harness = await startHarness({ path: '/hmr' });
    // A user's own WebSocket endpoint (a proxy, say) on the same HTTP server.
    const other = new WebSocketServer({ noServer: true });
    harness.http.on('upgrade', (req, socket, head) => {
      if (req.url === '/hmr' || req.url?.startsWith('/hmr?')) return;
      other.handleUpgrade(req, socket, head, (ws) => ws.send('from the other handler'));
    });
    const ours = open(harness.port, { path: '/hmr?x=1' });
    expect(await ours.next()).toBe('{"type":"hot"}');
    for (const path of ['/hmr/', '/hmrx', '/ws', '/HMR']) {
      const theirs = open(harness.port, { path });
      expect(await theirs.next()).toBe('from the other handler');
    }
    await Promise.all(clients.splice(0).map(closeClient));
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('upgrade() returns whether it took the request, for callers with their own server', async () => {
    const sockets = createSocketServer();
    const taken: boolean[] = [];
    const http = createServer();
    http.on('upgrade', (req, socket, head) => {
      const took = sockets.upgrade(req, socket, head);
      taken.push(took);
      if (!took) socket.destroy();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    try {
      const ok = connect(port, SAME_ORIGIN(port));
      await ok.opened;
      const no = connect(port, { ...SAME_ORIGIN(port), path: '/other' });
      await no.closed;
      expect(taken).toEqual([true, false]);
      await closeClient(ok);
    } finally {
      await sockets.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('can refuse with 403 before the upgrade', async () => {
    harness = await startHarness({ rejectBeforeUpgrade: true });
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${harness!.port}/ws`, {
        origin: 'http://evil.test',
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
    const good = open(harness.port);
    expect(await good.next()).toBe('{"type":"hot"}');
  });

  it('pings every heartbeatInterval and terminates a client that stops answering', async () => {
    harness = await startHarness({ heartbeatInterval: 40 });
    const live = open(harness.port);
    let pings = 0;
    live.ws.on('ping', () => pings++);
    const dead = open(harness.port, { ignorePings: true });
    await Promise.all([live.opened, dead.opened]);
    const closed = await dead.closed;
    // terminate(): the socket is dropped without a close frame.
    expect(closed.code).toBe(1006);
    // The live client keeps being pinged (and answering) after the dead one is gone.
    const pingsAtClose = pings;
    await waitFor(() => pings >= pingsAtClose + 2, { message: 'two more pings' });
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    expect(harness.sockets.clients.size).toBe(1);
  });

  it('rejects bad options with a SocketServerError', () => {
    expect(() => createSocketServer({ path: 'ws' })).toThrow(SocketServerError);
    expect(() => createSocketServer({ path: 'ws' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'path' }),
    );
    expect(() => createSocketServer({ maxPayload: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'maxPayload' }),
    );
  });

  it('emits decoded client frames and ignores the rest', async () => {
    harness = await startHarness({}, false);
    const got: unknown[] = [];
    harness.sockets.on('message', (_client, message) => got.push(message));
    const a = open(harness.port);
    await a.opened;
    a.ws.send('not json');
    a.ws.send('[1,2]');
    a.ws.send(Buffer.from([0xff, 0xfe, 0x00]));
    a.ws.send('{"type":"custom","data":1}');
    // A last good frame: the bad ones before it were read (in order) and dropped by then.
    a.ws.send('{"type":"custom","data":2}');
    await waitFor(() => got.length === 2);
    expect(got).toEqual([
      { type: 'custom', data: 1 },
      { type: 'custom', data: 2 },
    ]);
  });
});

describe('custom transport', () => {
  it('plugs a trivial in-memory transport into the same interface', async () => {
    const sent: string[] = [];
    let state = 1;
    let feed: ((data: unknown) => void) | undefined;
    const memory: SocketTransportFactory = (context) => {
      const handlers = context.accept(
        {
          get readyState() {
            return state;
          },
          bufferedAmount: 0,
          send: (text) => sent.push(text),
          close: () => {
            state = 3;
            handlers.closed();
          },
          terminate: () => {
            state = 3;
            handlers.closed();
          },
        },
        {
          url: '/ws',
          headers: { host: 'localhost:1', origin: 'http://localhost:1' },
          remoteAddress: undefined,
        },
      );
      feed = handlers.message;
      return { name: 'memory', handleUpgrade: () => false, close: async () => {} };
    };
    const greeted: string[] = [];
    const messages: unknown[] = [];
    const sockets = createSocketServer({ transport: memory });
    sockets.on('message', (_client, message) => messages.push(message));
    expect(sockets.transport).toBe('memory');
    expect(sockets.clients.size).toBe(1);
    const [client] = sockets.clients;
    greeted.push(client!.transport);
    expect(sockets.broadcast(createOkMessage())).toBe(1);
    feed?.('{"type":"ping"}');
    expect(sent).toEqual(['{"type":"ok"}']);
    expect(messages).toEqual([{ type: 'ping' }]);
    await sockets.close();
    expect(state).toBe(3);
    expect(sockets.clients.size).toBe(0);
    expect(greeted).toEqual(['memory']);
  });

  it('sends the error frame and closes when a custom transport reports a foreign origin', async () => {
    const sent: string[] = [];
    let closed = false;
    const sockets = createSocketServer({
      transport: (context) => {
        context.accept(
          {
            readyState: 1,
            bufferedAmount: 0,
            send: (text) => sent.push(text),
            close: () => {
              closed = true;
            },
            terminate: () => {},
          },
          {
            url: '/ws',
            headers: { host: 'localhost', origin: 'http://evil.test' },
            remoteAddress: undefined,
          },
        );
        return { name: 'memory', handleUpgrade: () => false, close: async () => {} };
      },
    });
    expect(sent).toEqual(['{"type":"error","data":"Invalid Host/Origin header"}']);
    expect(closed).toBe(true);
    expect(sockets.clients.size).toBe(0);
    await sockets.close();
  });
});
