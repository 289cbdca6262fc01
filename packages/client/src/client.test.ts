import { BUILD_READY_EVENT, createEmitter, type HotEvents } from '@hmrkit/hot-emitter';
import { loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it, vi } from 'vitest';
import {
  createConsoleSpy,
  createFakeTransports,
  createFakeWindow,
  FakeOverlay,
} from '../test/fakes';
import { type ClientOptions, createClient } from './client';

interface Frame {
  text?: string;
  kind?: string;
  conn?: string;
}
const problems = loadFixture<{ phases: { phase: string; frames: Frame[] }[] }>('wds5-problems');
/** The text frames client A received in one recorded phase. */
const phaseFrames = (phase: string): string[] =>
  (problems.phases.find((p) => p.phase === phase)?.frames ?? [])
    .filter((f) => f.kind === 'text' && f.conn === 'A' && f.text)
    .map((f) => f.text as string);
const hashOf = (frames: string[]): string =>
  JSON.parse(frames.find((f) => f.includes('"hash"')) ?? '{}').data;

function setup(options: ClientOptions = { hot: true, liveReload: true }, search = '') {
  const transports = createFakeTransports();
  const win = createFakeWindow(search);
  const out = createConsoleSpy();
  const overlay = new FakeOverlay();
  const emitter = createEmitter<HotEvents>({ dispatchEvents: false });
  const updates: string[] = [];
  const ready: unknown[][] = [];
  emitter.on('webpackHotUpdate', (hash) => updates.push(hash));
  emitter.on(BUILD_READY_EVENT, (...args) => ready.push(args));
  const connect = hashOf(phaseFrames('connect'));
  const client = createClient(options, {
    transport: transports.factory,
    window: win,
    console: out,
    overlay,
    emitter,
    currentHash: connect,
    now: () => 123,
  });
  const socket = transports.all[0]!;
  socket.open();
  return { client, socket, win, out, overlay, emitter, updates, ready, transports };
}

describe('createClient: the recorded webpack-dev-server 5 session', () => {
  it('logs the startup line and builds the socket URL from the page location', () => {
    const { out, socket } = setup({ hot: true, liveReload: true, hostname: '0.0.0.0' });
    expect(out.lines[0]).toBe(
      'info [hmrkit] Server started: Hot Module Replacement enabled, Live Reloading enabled, Progress disabled, Overlay disabled.',
    );
    expect(socket.url).toBe('ws://app.test:8080/ws');
  });

  it("in a web worker (no window) dials the host of the worker's own location", () => {
    const transports = createFakeTransports();
    const client = createClient(
      { hot: true, hostname: '0.0.0.0', port: '8080' },
      {
        transport: transports.factory,
        location: { protocol: 'http:', hostname: '127.0.0.1', port: '8080' },
        console: createConsoleSpy(),
        overlay: null,
      },
    );
    expect(client.socketUrl).toBe('ws://127.0.0.1:8080/ws');
    client.close();
  });

  it('skips the initial build, then hands each new hash to the hot runtime', () => {
    const { socket, updates, ready, win, out } = setup();
    socket.deliver(...phaseFrames('connect'));
    expect(updates).toEqual([]);
    socket.deliver(...phaseFrames('edit-fix-all'));
    const fixed = hashOf(phaseFrames('edit-fix-all'));
    expect(updates).toEqual([fixed]);
    expect(ready).toEqual([[fixed, 123]]);
    expect(win.posted).toContainEqual(`webpackHotUpdate${fixed}`);
    expect(win.posted).toContainEqual({ type: 'webpackOk', data: undefined });
    expect(out.lines).toContain('info [hmrkit] App updated. Recompiling...');
    expect(out.lines).toContain('info [hmrkit] App hot update...');
    expect(win.location.reload).not.toHaveBeenCalled();
  });

  it('shows compile errors, prevents reloading, and hides the overlay on the clean build', () => {
    const { socket, overlay, updates, out } = setup({ hot: true, liveReload: true, overlay: true });
    socket.deliver(...phaseFrames('connect'), ...phaseFrames('edit-syntax-error'));
    expect(updates).toEqual([]);
    expect(overlay.state).toBe('build');
    expect(overlay.shown.at(-1)?.errors[0]?.message).toMatch(/^Module parse failed/);
    expect(out.lines).toContain('error [hmrkit] Errors while compiling. Reload prevented.');
    socket.deliver(...phaseFrames('edit-fix'));
    expect(overlay.state).toBe('hidden');
    expect(updates).toEqual([hashOf(phaseFrames('edit-fix'))]);
  });

  it('shows warnings and errors of one build together; preventReloading holds the update', () => {
    const { socket, overlay, updates } = setup({ hot: true, liveReload: true, overlay: true });
    socket.deliver(...phaseFrames('connect'), ...phaseFrames('edit-error-and-warning'));
    const last = overlay.shown.at(-1)!;
    expect(last.errors).toHaveLength(1);
    expect(last.warnings).toHaveLength(1);
    expect(updates).toEqual([]);
  });

  it('applies a warning-only build and honours overlay filters', () => {
    const { socket, overlay, updates } = setup();
    // The server's overlay frame (here: warnings off) replaces the query's value.
    socket.deliver(...phaseFrames('connect'), {
      type: 'overlay',
      data: { errors: true, warnings: false },
    });
    socket.deliver(...phaseFrames('edit-warning-only'));
    expect(overlay.shown).toEqual([]);
    expect(updates).toEqual([hashOf(phaseFrames('edit-warning-only'))]);
  });

  it('says "Nothing changed." on still-ok', () => {
    const { socket, out, updates } = setup();
    socket.deliver(...phaseFrames('connect'), ...phaseFrames('noop-touch-clean-2'));
    expect(out.lines).toContain('info [hmrkit] Nothing changed.');
    expect(updates).toEqual([]);
  });
});

describe('createClient: reload decision', () => {
  const frames = (hash: string) => [
    { type: 'hot' },
    { type: 'liveReload' },
    { type: 'hash', data: hash },
    { type: 'ok' },
  ];

  it('live reloads when hot is off', () => {
    const { socket, win, updates, out } = setup({ hot: false, liveReload: true });
    socket.deliver({ type: 'liveReload' }, { type: 'hash', data: 'new' }, { type: 'ok' });
    expect(updates).toEqual([]);
    expect(out.lines).toContain('info [hmrkit] App updated. Reloading...');
    expect(win.location.reload).toHaveBeenCalledOnce();
  });

  it('the query hot=false wins over the hot frame', () => {
    const { socket, win, updates } = setup({ hot: false, liveReload: true });
    socket.deliver(...frames('new'));
    expect(updates).toEqual([]);
    expect(win.location.reload).toHaveBeenCalledOnce();
  });

  it('honours ?webpack-dev-server-hot=false and ?webpack-dev-server-live-reload=false', () => {
    const a = setup({ hot: true, liveReload: true }, '?webpack-dev-server-hot=false');
    a.socket.deliver(...frames('new'));
    expect(a.updates).toEqual([]);
    expect(a.win.location.reload).toHaveBeenCalledOnce();
    const b = setup(
      { hot: true, liveReload: true },
      '?webpack-dev-server-hot=false&webpack-dev-server-live-reload=false',
    );
    b.socket.deliver(...frames('new'));
    expect(b.win.location.reload).not.toHaveBeenCalled();
  });

  it('reloads instead of leaving a stale page when no hot runtime listens', () => {
    const transports = createFakeTransports();
    const win = createFakeWindow();
    createClient(
      { hot: true, liveReload: true },
      {
        transport: transports.factory,
        window: win,
        console: createConsoleSpy(),
        overlay: null,
        emitter: createEmitter<HotEvents>({ dispatchEvents: false }),
        currentHash: 'old',
      },
    );
    transports.all[0]!.deliver(...frames('new'));
    expect(win.location.reload).toHaveBeenCalledOnce();
  });

  it('does nothing while the page unloads', () => {
    const { socket, win, updates } = setup();
    win.listeners.get('beforeunload')?.({} as never);
    socket.deliver(...frames('new'));
    expect(updates).toEqual([]);
  });

  it('reloads on static-changed', () => {
    const { socket, win, out } = setup();
    socket.deliver({ type: 'static-changed', data: '/public/index.html' });
    expect(out.lines).toContain(
      'info [hmrkit] "/public/index.html" from static directory was changed. Reloading...',
    );
    expect(win.location.reload).toHaveBeenCalledOnce();
  });
});

describe('createClient: other frames', () => {
  it('logs progress only when enabled and draws the indicator for a shape', () => {
    const transports = createFakeTransports();
    const out = createConsoleSpy();
    const indicator = { update: vi.fn(), destroy: vi.fn() };
    createClient(
      {},
      {
        transport: transports.factory,
        window: createFakeWindow(),
        console: out,
        overlay: null,
        createProgressIndicator: () => indicator,
      },
    );
    const socket = transports.all[0]!;
    const update = {
      type: 'progress-update',
      data: { percent: 42, msg: 'building', pluginName: 'x' },
    };
    socket.deliver(update);
    expect(out.lines.some((line) => line.includes('42%'))).toBe(false);
    socket.deliver({ type: 'progress', data: 'circular' }, update);
    expect(out.lines).toContain('info [hmrkit] [x] 42% - building.');
    expect(indicator.update).toHaveBeenCalledWith({
      percent: 42,
      msg: 'building',
      pluginName: 'x',
    });
  });

  it('switches the log level on a logging frame', () => {
    const { socket, out } = setup();
    socket.deliver({ type: 'logging', data: 'none' }, { type: 'invalid' });
    expect(out.lines).not.toContain('info [hmrkit] App updated. Recompiling...');
  });

  it('logs the refusal of an error frame', () => {
    const { socket, out } = setup();
    socket.deliver({ type: 'error', data: 'Invalid Host/Origin header' });
    expect(out.lines).toContain('error [hmrkit] Invalid Host/Origin header');
  });

  it('ignores unknown and malformed frames, logging them only at verbose', () => {
    const quiet = setup();
    quiet.socket.deliver('not json', { type: 'surprise' }, { type: 'hash', data: 42 });
    expect(quiet.out.lines).toHaveLength(1); // only the startup line
    const loud = setup({ hot: true, logging: 'verbose' });
    loud.socket.deliver('not json', { type: 'surprise' });
    expect(loud.out.lines.filter((line) => line.startsWith('debug'))).toEqual([
      'debug [hmrkit] Ignored a frame: frame is not JSON.',
      'debug [hmrkit] Ignored a frame: unknown message type "surprise".',
    ]);
  });

  it('shows runtime errors unless runtimeErrors is off, never over build errors', () => {
    const on = setup({ hot: true, overlay: true });
    on.win.listeners.get('error')?.({ error: new Error('boom'), message: 'boom' } as never);
    on.win.listeners.get('unhandledrejection')?.({ reason: new Error('nope') } as never);
    expect(on.overlay.runtime).toHaveLength(2);
    const off = setup({ hot: true, overlay: { runtimeErrors: false } });
    off.win.listeners.get('error')?.({ error: new Error('boom') } as never);
    expect(off.overlay.runtime).toHaveLength(0);
    const react = setup({ hot: true, overlay: true });
    const handled = new Error('caught');
    handled.stack = 'Error: caught\n    at invokeGuardedCallbackDev (react-dom.js:1:1)';
    react.win.listeners.get('error')?.({ error: handled } as never);
    expect(react.overlay.runtime).toHaveLength(0);
  });

  it('says Disconnected! once, retries, and picks up a restarted server', () => {
    vi.useFakeTimers();
    try {
      const { socket, out, transports, updates } = setup();
      socket.deliver({ type: 'hot' }, { type: 'hash', data: 'aaa' }, { type: 'ok' });
      socket.drop();
      expect(out.lines.filter((l) => l.includes('Disconnected!'))).toHaveLength(1);
      expect(out.lines).toContain('info [hmrkit] Trying to reconnect...');
      vi.advanceTimersByTime(1300);
      expect(transports.all).toHaveLength(2);
      transports.all[1]!.drop(); // the server is still down
      vi.advanceTimersByTime(2600);
      const next = transports.all[2]!;
      next.open();
      expect(out.lines.filter((l) => l.includes('Disconnected!'))).toHaveLength(1);
      expect(out.lines.filter((l) => l.includes('Trying to reconnect'))).toHaveLength(1);
      // The restarted server built different code: a new hash must not be ignored.
      next.deliver({ type: 'hot' }, { type: 'hash', data: 'restarted' }, { type: 'ok' });
      expect(updates.at(-1)).toBe('restarted');
    } finally {
      vi.useRealTimers();
    }
  });

  it('close() stops reconnecting and removes listeners', () => {
    const { client, socket, win, transports } = setup();
    client.close();
    expect(socket.closedByClient).toBe(true);
    socket.drop();
    expect(transports.all).toHaveLength(1);
    expect(win.listeners.size).toBe(0);
  });
});

describe('createClient: pushed hot updates', () => {
  const pushFixture = loadFixture<{ clientRequest: string; pushSequence: { text: string }[] }>(
    'hmrkit-push',
  );

  it('asks for pushes on every open in hot mode, with the frame size it accepts', () => {
    vi.useFakeTimers();
    try {
      const { socket, transports } = setup();
      expect(socket.sent).toEqual([pushFixture.clientRequest]);
      socket.drop();
      vi.advanceTimersByTime(1300);
      const next = transports.all[1]!;
      next.open();
      expect(next.sent).toEqual([pushFixture.clientRequest]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing (webpack-dev-server wire) without hot or with push: false', () => {
    expect(setup({ hot: false, liveReload: true }).socket.sent).toEqual([]);
    const transports = createFakeTransports();
    createClient(
      { hot: true },
      {
        transport: transports.factory,
        window: createFakeWindow(),
        console: createConsoleSpy(),
        overlay: null,
        emitter: createEmitter<HotEvents>({ dispatchEvents: false }),
        push: false,
      },
    );
    transports.all[0]!.open();
    expect(transports.all[0]!.sent).toEqual([]);
  });

  it('hands the pushed files to the runtime before the webpackHotUpdate of that build', () => {
    const { socket, emitter } = setup();
    const events: unknown[][] = [];
    emitter.on('hmrkitPushedUpdate', (hash, files) => events.push(['push', hash, files]));
    emitter.on('webpackHotUpdate', (hash) => events.push(['update', hash]));
    socket.deliver(...pushFixture.pushSequence.map((frame) => frame.text));
    const push = JSON.parse(pushFixture.pushSequence[2]!.text).data;
    expect(events).toEqual([
      ['push', push.hash, push.files],
      ['update', push.hash],
    ]);
  });
});
