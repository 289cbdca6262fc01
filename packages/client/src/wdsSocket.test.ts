import { createEmitter, type HotEvents } from '@hmrkit/hot-emitter';
import { describe, expect, it } from 'vitest';
import {
  createConsoleSpy,
  createFakeTransports,
  createFakeWindow,
  FakeOverlay,
} from '../test/fakes';
import { createClient } from './client';
import { createLiveSocket, type SocketEvent } from './wdsSocket';

function setup() {
  const transports = createFakeTransports();
  const emitter = createEmitter<HotEvents>({ dispatchEvents: false });
  const updates: string[] = [];
  emitter.on('webpackHotUpdate', (hash) => updates.push(hash));
  const client = createClient(
    { hot: true, liveReload: true },
    {
      transport: transports.factory,
      window: createFakeWindow(),
      console: createConsoleSpy(),
      overlay: new FakeOverlay(),
      emitter,
      currentHash: 'aaa',
      socket: { setTimeout: (fn) => fn(), random: () => 0 },
    },
  );
  const socket = createLiveSocket(emitter);
  const events: SocketEvent[] = [];
  const listener = (event: SocketEvent): void => {
    events.push(event);
  };
  return { client, transports, emitter, socket, events, listener, updates };
}

describe('createLiveSocket: webpack-dev-server/client/socket for other tools', () => {
  it('hands every received frame to message listeners, after the client acted on it', () => {
    const { transports, socket, events, listener, updates } = setup();
    const seenUpdates: number[] = [];
    socket.addEventListener('message', (event) => {
      if (JSON.parse(String(event.data)).type === 'ok') seenUpdates.push(updates.length);
    });
    socket.addEventListener('message', listener);
    const transport = transports.all[0]!;
    transport.open();
    transport.deliver({ type: 'hash', data: 'bbb' }, { type: 'ok' });
    expect(events).toEqual([
      { type: 'message', data: '{"type":"hash","data":"bbb"}' },
      { type: 'message', data: '{"type":"ok"}' },
    ]);
    // The client had already emitted its hot update when the listener heard `ok`.
    expect(seenUpdates).toEqual([1]);
  });

  it('relays frames that the client ignores too (the listener parses them itself)', () => {
    const { transports, socket, events, listener } = setup();
    socket.addEventListener('message', listener);
    transports.all[0]!.deliver('{"type":"custom-tool-frame"}');
    expect(events).toEqual([{ type: 'message', data: '{"type":"custom-tool-frame"}' }]);
  });

  it("leaves out hmrkit's pushed hot-update frame (webpack-dev-server never sends one)", () => {
    const { transports, socket, events, listener } = setup();
    socket.addEventListener('message', listener);
    const transport = transports.all[0]!;
    transport.deliver(
      {
        type: 'hot-update',
        data: { hash: 'bbb', files: [{ name: 'main.bbb.hot-update.json', content: '{}' }] },
      },
      { type: 'ok' },
    );
    expect(events).toEqual([{ type: 'message', data: '{"type":"ok"}' }]);
  });

  it('follows reconnects and reports open and close', () => {
    const { transports, socket, events, listener } = setup();
    for (const type of ['open', 'close', 'message']) socket.addEventListener(type, listener);
    transports.all[0]!.open();
    transports.all[0]!.drop();
    const second = transports.all[1]!;
    second.open();
    second.deliver({ type: 'still-ok' });
    expect(events).toEqual([
      { type: 'open' },
      { type: 'close' },
      { type: 'open' },
      { type: 'message', data: '{"type":"still-ok"}' },
    ]);
  });

  it('adds a listener once per type and removes it', () => {
    const { transports, socket, events, listener } = setup();
    socket.addEventListener('message', listener);
    socket.addEventListener('message', listener);
    transports.all[0]!.deliver({ type: 'ok' });
    socket.removeEventListener('message', listener);
    transports.all[0]!.deliver({ type: 'ok' });
    expect(events).toHaveLength(1);
  });

  it('rejects an event type it cannot deliver', () => {
    const { socket, listener } = setup();
    expect(() => socket.addEventListener('error', listener)).toThrow(/no "error" event/);
  });
});
