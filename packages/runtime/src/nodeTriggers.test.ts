import { describe, expect, it } from 'vitest';
import { createRecordingConsole, FakeHot } from '../test/fakeHot';
import { createHmrLogger } from './log';
import { startPolling, startSignalListener } from './nodeTriggers';

describe('startPolling (hot/poll)', () => {
  it('applies queued updates one after another, then says so', async () => {
    const hot = new FakeHot('a');
    hot.updates.set('a', { to: 'b', modules: ['./server.js'] });
    hot.updates.set('b', { to: 'c', modules: ['./routes.js'] });
    const out = createRecordingConsole();
    const poller = startPolling({ hot, logger: createHmrLogger('info', out), intervalMs: 60_000 });
    await poller.check();
    poller.stop();
    expect(hot.hash).toBe('c');
    expect(out.lines).toEqual([
      'log [HMR] Updated modules:',
      'log [HMR]  - ./server.js',
      'log [HMR] Updated modules:',
      'log [HMR]  - ./routes.js',
      'log [HMR] Update applied.',
    ]);
  });

  it('asks for a restart when an update aborts', async () => {
    const hot = new FakeHot('a');
    hot.updates.set('a', { to: 'b', modules: ['./db.js'], outcome: 'unaccepted' });
    const out = createRecordingConsole();
    const poller = startPolling({ hot, logger: createHmrLogger('info', out) });
    await poller.check();
    poller.stop();
    expect(out.lines[0]).toBe('warn [HMR] Cannot apply update.');
    expect(out.lines.at(-1)).toBe('warn [HMR] You need to restart the application!');
  });
});

describe('startSignalListener (hot/signal)', () => {
  it('checks on the signal and ignores unaccepted modules', async () => {
    const hot = new FakeHot('a');
    hot.updates.set('a', { to: 'b', modules: ['./db.js'], outcome: 'unaccepted' });
    const out = createRecordingConsole();
    const listeners = new Map<string, () => void>();
    const listener = startSignalListener({
      hot,
      logger: createHmrLogger('info', out),
      signal: 'SIGHUP',
      subscribe: (signal, fn) => {
        listeners.set(signal, fn);
        return () => listeners.delete(signal);
      },
    });
    expect([...listeners.keys()]).toEqual(['SIGHUP']);
    await listener.trigger();
    expect(hot.hash).toBe('b');
    expect(out.lines).toContain(
      'warn [HMR] Ignored an update to unaccepted module ./db.js -> ./src/index.js',
    );
    expect(out.lines.at(-1)).toBe('log [HMR] Update applied.');
    listener.stop();
    expect(listeners.size).toBe(0);
  });

  it('says when there is nothing to update, and refuses when busy', async () => {
    const hot = new FakeHot('a');
    const out = createRecordingConsole();
    const listener = startSignalListener({
      hot,
      logger: createHmrLogger('info', out),
      subscribe: () => () => {},
    });
    await listener.trigger();
    expect(out.lines).toEqual(['warn [HMR] Cannot find update.']);
    hot.gate = new Promise(() => {});
    void hot.check();
    await listener.trigger();
    expect(out.lines.slice(1)).toEqual([
      'warn [HMR] Got signal but currently in check state.',
      'warn [HMR] Need to be in idle state to start hot update.',
    ]);
  });

  it('listens on the real process by default (SIGUSR2)', () => {
    const before = process.listenerCount('SIGUSR2');
    const listener = startSignalListener({
      hot: new FakeHot('a'),
      logger: createHmrLogger('none'),
    });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    listener.stop();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
