import { randomBytes } from 'node:crypto';
import { type Socket, connect as tcpConnect } from 'node:net';
import { createHashMessage, createOkMessage, type ServerMessage } from '@hmrkit/protocol';
import { delay } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  closeClient,
  connect,
  type Harness,
  type Recorded,
  startHarness,
  waitFor,
} from './helpers';

let harness: Harness | undefined;
const clients: Recorded[] = [];
const raws: Socket[] = [];

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.destroy();
  await Promise.all(clients.splice(0).map(closeClient));
  await harness?.close();
  harness = undefined;
});

function open(port: number): Recorded {
  const client = connect(port, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
  clients.push(client);
  return client;
}

/** A raw TCP socket that completes the WebSocket handshake and then does nothing at all. */
async function rawUpgrade(port: number): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1');
  raws.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      'GET /ws HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Origin: http://127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  let head = '';
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  expect(head.startsWith('HTTP/1.1 101')).toBe(true);
  return socket;
}

/** A masked client text frame (RFC 6455), up to 65535 bytes of payload. */
function maskedFrame(payload: Buffer, opcode = 0x1): Buffer {
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
      : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

/** Resources Node keeps alive (timers, sockets, servers), by kind. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('hostile clients', () => {
  it('closes a client whose frame exceeds maxPayload and keeps serving the others', async () => {
    harness = await startHarness({ maxPayload: 1024 });
    const good = open(harness.port);
    const big = open(harness.port);
    await Promise.all([good.opened, big.opened]);
    big.ws.send('x'.repeat(4096));
    const closed = await big.closed;
    expect(closed.code).toBe(1009); // Message Too Big
    harness.sockets.broadcast(createHashMessage('after-big'));
    await good.next((f) => f.includes('after-big'));
    expect(harness.sockets.clients.size).toBe(1);
  });

  it('survives binary garbage, invalid UTF-8 and broken framing', async () => {
    harness = await startHarness();
    const good = open(harness.port);
    const messages: unknown[] = [];
    harness.sockets.on('message', (_client, message) => messages.push(message));
    await good.opened;

    const binary = open(harness.port);
    await binary.opened;
    for (let i = 0; i < 20; i++) binary.ws.send(randomBytes(512));

    // A text frame that is not UTF-8: ws must close it (1007), not crash.
    const badText = await rawUpgrade(harness.port);
    const badTextClosed = new Promise((resolve) => badText.once('close', resolve));
    badText.write(maskedFrame(Buffer.from([0xc3, 0x28, 0xff])));
    await badTextClosed;

    // Bytes that are not WebSocket frames at all (unmasked, reserved opcodes).
    const noise = await rawUpgrade(harness.port);
    const noiseClosed = new Promise((resolve) => noise.once('close', resolve));
    noise.write(randomBytes(4096));
    await noiseClosed;

    // Garbage instead of an HTTP request on the upgrade path.
    const junk = tcpConnect(harness.port, '127.0.0.1');
    raws.push(junk);
    junk.on('error', () => {});
    junk.write(randomBytes(2048));

    harness.sockets.broadcast(createHashMessage('after-garbage'));
    await good.next((f) => f.includes('after-garbage'));
    await binary.next((f) => f.includes('after-garbage'));
    expect(messages).toEqual([]);
  });

  it('keeps serving during a flood of frames from one client', async () => {
    harness = await startHarness();
    const good = open(harness.port);
    const flooder = open(harness.port);
    await Promise.all([good.opened, flooder.opened]);
    let received = 0;
    harness.sockets.on('message', () => received++);
    const frame = JSON.stringify({ type: 'flood', data: 'x'.repeat(200) });
    for (let i = 0; i < 5000; i++) flooder.ws.send(i % 2 ? frame : 'garbage');
    const started = Date.now();
    harness.sockets.broadcast(createHashMessage('during-flood'));
    await good.next((f) => f.includes('during-flood'));
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => received === 2500, { message: 'all well-formed flood frames' });
    expect(flooder.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('drops a slow reader once its send buffer passes maxBufferedAmount', async () => {
    harness = await startHarness(
      { maxBufferedAmount: 256 * 1024, heartbeatInterval: false },
      false,
    );
    const good = open(harness.port);
    await good.opened;
    const slow = await rawUpgrade(harness.port);
    slow.pause(); // never reads again: the kernel buffers fill, then ws's.
    await waitFor(() => harness!.sockets.clients.size === 2);
    const chunk = { type: 'hash', data: 'y'.repeat(128 * 1024) } as ServerMessage;
    let rounds = 0;
    while (harness.sockets.clients.size === 2 && rounds < 2000) {
      harness.sockets.broadcast(chunk);
      rounds++;
      // Let the good client drain so only the slow one backs up.
      if (rounds % 8 === 0) await delay(5);
    }
    // Dropped long before it could hold 2000 × 128 KiB.
    expect(rounds).toBeLessThan(2000);
    expect(harness.sockets.clients.size).toBe(1);
    const [survivor] = harness.sockets.clients;
    expect(survivor!.bufferedAmount).toBeLessThan(256 * 1024);
    harness.sockets.broadcast(createOkMessage());
    await good.next((f) => f === '{"type":"ok"}');
  });

  it('terminates a raw socket that ignores pings', async () => {
    harness = await startHarness({ heartbeatInterval: 30 });
    // Events, not the client count: under load the socket may already be gone by the time a
    // poll of `clients.size` runs.
    const connected = new Promise((resolve) => harness!.sockets.once('connection', resolve));
    const left = new Promise((resolve) => harness!.sockets.once('disconnect', resolve));
    const silent = await rawUpgrade(harness.port);
    const pings: number[] = [];
    silent.on('data', (chunk: Buffer) => {
      if ((chunk[0]! & 0x0f) === 0x9) pings.push(Date.now());
    });
    const closed = silent.closed
      ? Promise.resolve()
      : new Promise((resolve) => silent.once('close', resolve));
    await connected;
    await closed;
    await left;
    expect(pings.length).toBeGreaterThanOrEqual(1);
    await waitFor(() => harness!.sockets.clients.size === 0);
  });

  it('handles 500 clients connecting and leaving at once without leaking', async () => {
    const before = activeResources();
    harness = await startHarness({}, false);
    let connected = 0;
    let left = 0;
    harness.sockets.on('connection', () => connected++);
    harness.sockets.on('disconnect', () => left++);
    const crowd = Array.from({ length: 500 }, () =>
      connect(harness!.port, {
        host: `127.0.0.1:${harness!.port}`,
        origin: `http://127.0.0.1:${harness!.port}`,
      }),
    );
    await Promise.all(crowd.map((c) => c.opened));
    await waitFor(() => harness!.sockets.clients.size === 500, { message: '500 clients' });
    expect(harness.sockets.broadcast(createOkMessage())).toBe(500);
    await Promise.all(crowd.map((c) => c.next((f) => f === '{"type":"ok"}')));
    // Half close cleanly, half just drop their sockets.
    for (const [i, c] of crowd.entries()) {
      if (i % 2) c.ws.close();
      else c.ws.terminate();
    }
    await Promise.all(crowd.map((c) => c.closed));
    await waitFor(() => harness!.sockets.clients.size === 0, { message: 'everyone gone' });
    expect([connected, left]).toEqual([500, 500]);

    const late = open(harness.port);
    await late.opened;
    await waitFor(() => harness!.sockets.clients.size === 1);
    await closeClient(late);
    clients.length = 0;
    await harness.close();
    harness = undefined;
    // Nothing of ours is still alive: no timers, no sockets, no servers.
    await waitFor(
      () => {
        const after = activeResources();
        return ['Timeout', 'TCPSocketWrap', 'TCPServerWrap'].every(
          (kind) => (after[kind] ?? 0) <= (before[kind] ?? 0),
        );
      },
      { message: 'resources back to the baseline' },
    );
  });
});

describe('close()', () => {
  it.each(['ws', 'sockjs'] as const)('leaves no open handles behind (%s)', async (transport) => {
    const before = activeResources();
    const h = await startHarness({ transport, heartbeatInterval: 20 });
    const port = h.port;
    const path = transport === 'ws' ? '/ws' : '/ws/001/abcdefgh/websocket';
    const a = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      path,
    });
    const b = connect(port, {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      path: transport === 'ws' ? path : '/ws/001/ijklmnop/websocket',
    });
    await Promise.all([a.opened, b.opened]);
    await waitFor(() => h.sockets.clients.size === 2);
    await h.close();
    await Promise.all([a.closed, b.closed]);
    await h.sockets.close(); // twice is fine
    await waitFor(
      () => {
        const after = activeResources();
        return ['Timeout', 'TCPSocketWrap', 'TCPServerWrap'].every(
          (kind) => (after[kind] ?? 0) <= (before[kind] ?? 0),
        );
      },
      { message: 'resources back to the baseline' },
    );
  });
});
