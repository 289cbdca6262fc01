import { createHashMessage, createInvalidMessage, createOkMessage } from '@hmrkit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocketServer, type SocketTransportFactory } from '../src/index';
import { closeClient, connect, type Harness, type Recorded, startHarness } from './helpers';

let harness: Harness | undefined;
const clients: Recorded[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await harness?.close();
  harness = undefined;
});

describe('batch: the frames sent together leave together', () => {
  it('holds a ws client’s frames until the batch ends, then delivers all of them in order', async () => {
    harness = await startHarness({}, false);
    const { port, sockets } = harness;
    const client = connect(port, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
    clients.push(client);
    await client.opened;
    await new Promise<void>((resolve) => {
      if (sockets.clients.size > 0) resolve();
      else sockets.once('connection', () => resolve());
    });
    const [server] = sockets.clients;
    // Outside a batch, a small frame is written to loopback at once.
    sockets.broadcast(createInvalidMessage());
    expect(server?.bufferedAmount).toBe(0);
    let heldInside = 0;
    const returned = sockets.batch(() => {
      sockets.broadcast(createHashMessage('abc'));
      sockets.broadcast(createOkMessage());
      // Still held: nothing has gone out yet (one write, after the batch).
      heldInside = server?.bufferedAmount ?? 0;
      return 'done';
    });
    expect(returned).toBe('done');
    expect(heldInside).toBeGreaterThan(0);
    expect(server?.bufferedAmount).toBe(0);
    await client.next((frame) => frame === '{"type":"ok"}');
    expect(client.frames).toEqual([
      '{"type":"invalid"}',
      '{"type":"hash","data":"abc"}',
      '{"type":"ok"}',
    ]);
  });

  it('uncorks every connection even when the batched function throws, and nests', () => {
    const calls: string[] = [];
    const corking: SocketTransportFactory = (context) => {
      for (const name of ['a', 'b']) {
        context.accept(
          {
            readyState: 1,
            bufferedAmount: 0,
            send: (text) => calls.push(`${name} send ${text}`),
            cork: () => calls.push(`${name} cork`),
            uncork: () => calls.push(`${name} uncork`),
            close: () => {},
            terminate: () => {},
          },
          {
            url: '/ws',
            headers: { host: 'localhost:1', origin: 'http://localhost:1' },
            remoteAddress: undefined,
          },
        );
      }
      return { name: 'corking', handleUpgrade: () => false, close: async () => {} };
    };
    const sockets = createSocketServer({ transport: corking });
    expect(() =>
      sockets.batch(() => {
        sockets.batch(() => sockets.broadcast(createOkMessage()));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(calls).toEqual([
      'a cork',
      'b cork',
      'a cork',
      'b cork',
      'a send {"type":"ok"}',
      'b send {"type":"ok"}',
      'a uncork',
      'b uncork',
      'a uncork',
      'b uncork',
    ]);
  });

  it('sends as before on a transport that cannot cork', () => {
    const sent: string[] = [];
    const plain: SocketTransportFactory = (context) => {
      context.accept(
        {
          readyState: 1,
          bufferedAmount: 0,
          send: (text) => sent.push(text),
          close: () => {},
          terminate: () => {},
        },
        {
          url: '/ws',
          headers: { host: 'localhost:1', origin: 'http://localhost:1' },
          remoteAddress: undefined,
        },
      );
      return { name: 'plain', handleUpgrade: () => false, close: async () => {} };
    };
    const sockets = createSocketServer({ transport: plain });
    sockets.batch(() => {
      sockets.broadcast(createHashMessage('h'));
      sockets.broadcast(createOkMessage());
    });
    expect(sent).toEqual(['{"type":"hash","data":"h"}', '{"type":"ok"}']);
  });
});
