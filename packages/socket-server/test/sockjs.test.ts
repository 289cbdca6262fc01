import {
  createHashMessage,
  createInvalidMessage,
  INVALID_HOST_ORIGIN_MESSAGE,
} from '@hmrkit/protocol';
import SockJS from 'sockjs-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketClient, SocketServerOptions } from '../src/index';
import {
  closeClient,
  connect,
  type Harness,
  sockjsMessages,
  startHarness,
  waitFor,
} from './helpers';

interface SockjsRecorded {
  sock: WebSocket;
  messages: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  next(predicate?: (m: string) => boolean): Promise<string>;
}

/** The real sockjs-client (its Node build), as webpack-dev-server's SockJSClient uses it. */
function sockjsClient(url: string, transports?: string[]): SockjsRecorded {
  const sock = new SockJS(url, undefined, transports ? { transports } : {}) as unknown as WebSocket;
  const messages: string[] = [];
  const waiters: { predicate: (m: string) => boolean; resolve: (m: string) => void }[] = [];
  sock.onmessage = (event) => {
    const text = String(event.data);
    messages.push(text);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(text);
      }
    }
  };
  const opened = new Promise<void>((resolve) => {
    sock.onopen = () => resolve();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    sock.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
  return {
    sock,
    messages,
    opened,
    closed,
    next(predicate = () => true) {
      const seen = messages.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

let harness: Harness | undefined;
const open: SockjsRecorded[] = [];

afterEach(async () => {
  for (const client of open.splice(0)) {
    client.sock.close();
  }
  await harness?.close();
  harness = undefined;
});

// sockjs-client in Node sends no Origin header (browsers always do), so these
// functional tests opt out of the Origin checks; the checks themselves run
// over sockjs in matrix.test.ts.
const OPEN_SERVER: SocketServerOptions = { transport: 'sockjs', allowedHosts: 'all' };

describe('sockjs transport', () => {
  it.each([
    ['websocket', ['websocket']],
    ['xhr-streaming', ['xhr-streaming']],
    ['xhr-polling', ['xhr-polling']],
  ])('greets, broadcasts, sends to one and closes (%s)', async (_name, transports) => {
    harness = await startHarness(OPEN_SERVER);
    const url = `http://127.0.0.1:${harness.port}/ws`;
    const seen: SocketClient[] = [];
    harness.sockets.on('connection', (client) => seen.push(client));
    const a = sockjsClient(url, transports);
    const b = sockjsClient(url, transports);
    open.push(a, b);
    for (const client of [a, b]) await client.next((m) => m === '{"type":"ok"}');
    expect(a.messages).toEqual(['{"type":"hot"}', '{"type":"liveReload"}', '{"type":"ok"}']);
    expect(seen.map((client) => client.transport)).toEqual(['sockjs', 'sockjs']);

    expect(harness.sockets.broadcast(createHashMessage('h1'))).toBe(2);
    for (const client of [a, b]) await client.next((m) => m.includes('"h1"'));

    harness.sockets.send(seen[0]!, createInvalidMessage());
    await waitFor(
      () => a.messages.includes('{"type":"invalid"}') || b.messages.includes('{"type":"invalid"}'),
    );
    // In order on each socket: once this broadcast arrived, a stray `invalid` would have too.
    harness.sockets.broadcast(createHashMessage('after'));
    for (const client of [a, b]) await client.next((m) => m.includes('"after"'));
    expect([a, b].filter((client) => client.messages.includes('{"type":"invalid"}'))).toHaveLength(
      1,
    );

    const closes = [a.closed, b.closed];
    await harness.sockets.close();
    for (const closed of await Promise.all(closes)) expect(closed.code).toBe(1001);
    expect(harness.sockets.clients.size).toBe(0);
  });

  it('refuses sockjs-client by default when it sends no Origin (error frame, then close)', async () => {
    harness = await startHarness({ transport: 'sockjs' });
    const client = sockjsClient(`http://127.0.0.1:${harness.port}/ws`, ['websocket']);
    open.push(client);
    const closed = await client.closed;
    expect(client.messages).toEqual([
      JSON.stringify({ type: 'error', data: INVALID_HOST_ORIGIN_MESSAGE }),
    ]);
    expect(closed).toEqual({ code: 1000, reason: 'Normal closure' });
    expect(harness.sockets.clients.size).toBe(0);
  });

  it('answers <prefix>/info and leaves other paths to the app', async () => {
    harness = await startHarness({ transport: 'sockjs', sockjs: { prefix: '/sockjs-node' } });
    const info = await fetch(`http://127.0.0.1:${harness.port}/sockjs-node/info`);
    expect(info.status).toBe(200);
    const body = (await info.json()) as { websocket: boolean; origins: string[] };
    expect(body.websocket).toBe(true);
    expect(body.origins).toEqual(['*:*']);
    const app = await fetch(`http://127.0.0.1:${harness.port}/sockjs-nodex`);
    expect(app.status).toBe(404);
    expect(await app.text()).toBe('not found');
    const other = await fetch(`http://127.0.0.1:${harness.port}/ws/info`);
    expect(await other.text()).toBe('not found');
  });

  it('serves the unframed raw endpoint <prefix>/websocket with the same checks', async () => {
    harness = await startHarness({ transport: 'sockjs' });
    const port = harness.port;
    const good = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      path: '/ws/websocket',
    });
    expect(await good.next()).toBe('{"type":"hot"}');
    const bad = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: 'http://evil.test',
      path: '/ws/websocket',
    });
    await bad.closed;
    expect(bad.frames).toEqual([
      JSON.stringify({ type: 'error', data: INVALID_HOST_ORIGIN_MESSAGE }),
    ]);
    await closeClient(good);
  });

  it('closes raw-endpoint clients on close() without throwing (1001 is not a sockjs code)', async () => {
    harness = await startHarness({ transport: 'sockjs' });
    const port = harness.port;
    const raw = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      path: '/ws/websocket',
    });
    expect(await raw.next()).toBe('{"type":"hot"}');
    await harness.sockets.close();
    await raw.closed;
  });

  it('frames messages as sockjs does: one a[...] per message', async () => {
    harness = await startHarness({ transport: 'sockjs' });
    const port = harness.port;
    const raw = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      path: '/ws/123/abcdefgh/websocket',
    });
    await raw.next((f) => sockjsMessages(f).includes('{"type":"ok"}'));
    expect(raw.frames).toEqual([
      'o',
      'a["{\\"type\\":\\"hot\\"}"]',
      'a["{\\"type\\":\\"liveReload\\"}"]',
      'a["{\\"type\\":\\"ok\\"}"]',
    ]);
    await closeClient(raw);
  });
});
