import {
  BUILD_READY_EVENT,
  createEmitter,
  HOT_UPDATE_EVENT,
  type HotEvents,
} from '@hmrkit/hot-emitter';
import { describe, expect, it, vi } from 'vitest';
import { createRecordingConsole, FakeHot } from '../test/fakeHot';
import { HotDisabledError } from './errors';
import { parseRuntimeQuery, startFromResourceQuery, startHotRuntime } from './start';

describe('parseRuntimeQuery', () => {
  it('reads mode and logging, ignoring unknown values', () => {
    expect(parseRuntimeQuery('?mode=only&logging=warning')).toEqual({
      mode: 'only',
      logging: 'warning',
    });
    expect(parseRuntimeQuery('mode=hot')).toEqual({ mode: 'hot' });
    expect(parseRuntimeQuery('?mode=bogus&logging=loud')).toEqual({});
    expect(parseRuntimeQuery('')).toEqual({});
  });
});

describe('startHotRuntime', () => {
  it('throws the webpack message when the bundle has no HMR', () => {
    // Outside webpack, import.meta.webpackHot is undefined.
    expect(() => startFromResourceQuery()).toThrow(HotDisabledError);
    expect(() => startFromResourceQuery()).toThrow('[HMR] Hot Module Replacement is disabled.');
  });

  it('drives updates from webpackHotUpdate and times them from the ready event', async () => {
    const hot = new FakeHot('aaa');
    hot.updates.set('aaa', { to: 'bbb', modules: ['./src/leaf.js'] });
    const emitter = createEmitter<HotEvents>({ dispatchEvents: false });
    const out = createRecordingConsole();
    const reload = vi.fn();
    const runtime = startHotRuntime({
      hot,
      emitter,
      console: out,
      reload,
      currentHash: () => hot.hash,
    });
    expect(out.lines).toEqual(['log [HMR] Waiting for update signal from WDS...']);
    const readyAt = performance.now() - 250;
    emitter.emit(BUILD_READY_EVENT, 'bbb', readyAt);
    emitter.emit(HOT_UPDATE_EVENT, 'bbb');
    await runtime.driver.settled();
    const timing = out.lines.at(-1) ?? '';
    const ms = Number(/took (\d+) ms/.exec(timing)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5000);
    expect(hot.hash).toBe('bbb');

    runtime.stop();
    expect(emitter.listenerCount(HOT_UPDATE_EVENT)).toBe(0);
    expect(reload).not.toHaveBeenCalled();
  });

  it('honours logging: warning (no info lines)', async () => {
    const hot = new FakeHot('aaa');
    const emitter = createEmitter<HotEvents>({ dispatchEvents: false });
    const out = createRecordingConsole();
    const reload = vi.fn();
    const runtime = startHotRuntime({
      hot,
      emitter,
      console: out,
      reload,
      logging: 'warning',
      currentHash: () => hot.hash,
    });
    emitter.emit(HOT_UPDATE_EVENT, 'restarted');
    await runtime.driver.settled();
    expect(out.lines).toEqual([
      'warn [HMR] Cannot find update. Need to do a full reload!',
      'warn [HMR] (Probably because of restarting the webpack-dev-server)',
    ]);
    expect(reload).toHaveBeenCalledOnce();
    runtime.stop();
  });
});
