import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './emitter';

type Events = { ping: [n: number]; pair: [a: string, b: string]; [event: string]: unknown[] };

describe('createEmitter', () => {
  it('calls listeners in order with the emitted arguments', () => {
    const emitter = createEmitter<Events>();
    const calls: string[] = [];
    emitter.on('ping', (n) => calls.push(`a${n}`));
    emitter.on('ping', (n) => calls.push(`b${n}`));
    expect(emitter.emit('ping', 1)).toBe(true);
    expect(calls).toEqual(['a1', 'b1']);
    expect(emitter.emit('pair', 'x', 'y')).toBe(false);
  });

  it('once fires a single time; off and the returned unsubscribe remove listeners', () => {
    const emitter = createEmitter<Events>();
    const once = vi.fn();
    const keep = vi.fn();
    emitter.once('ping', once);
    const unsubscribe = emitter.on('ping', keep);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    expect(once).toHaveBeenCalledTimes(1);
    expect(keep).toHaveBeenCalledTimes(2);
    unsubscribe();
    emitter.emit('ping', 3);
    expect(keep).toHaveBeenCalledTimes(2);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('a once listener removing itself does not make the next one skip', () => {
    const emitter = createEmitter<Events>();
    const second = vi.fn();
    emitter.once('ping', () => {});
    emitter.on('ping', second);
    emitter.emit('ping', 1);
    expect(second).toHaveBeenCalledWith(1);
  });

  it('a throwing listener does not stop the others, and its error is reported', () => {
    const onListenerError = vi.fn();
    const emitter = createEmitter<Events>({ onListenerError });
    const after = vi.fn();
    const boom = new Error('boom');
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', after);
    emitter.emit('ping', 7);
    expect(after).toHaveBeenCalledWith(7);
    expect(onListenerError).toHaveBeenCalledWith(boom, 'ping');
  });

  it('reports through console.error by default where there is no reportError', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const emitter = createEmitter<Events>();
    emitter.on('ping', () => {
      throw new Error('loud');
    });
    emitter.emit('ping', 1);
    expect(spy).toHaveBeenCalledWith(
      expect.stringContaining('"ping" listener threw'),
      expect.any(Error),
    );
  });

  it('dispatches a CustomEvent for EventTarget listeners', () => {
    const emitter = createEmitter<Events>();
    const seen: unknown[] = [];
    emitter.addEventListener('webpackHotUpdate', (event) =>
      seen.push((event as CustomEvent).detail),
    );
    emitter.addEventListener('pair', (event) => seen.push((event as CustomEvent).detail));
    emitter.emit('webpackHotUpdate', 'abc123');
    emitter.emit('pair', 'x', 'y');
    expect(seen).toEqual([{ currentHash: 'abc123' }, ['x', 'y']]);
    expect(emitter).toBeInstanceOf(EventTarget);
  });

  it('can leave DOM events out', () => {
    const emitter = createEmitter<Events>({ dispatchEvents: false });
    const listener = vi.fn();
    emitter.addEventListener('ping', listener);
    emitter.emit('ping', 1);
    expect(listener).not.toHaveBeenCalled();
  });
});
