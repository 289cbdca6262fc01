import { describe, expect, it, vi } from 'vitest';
import { getHotEmitter, HOT_EMITTER_KEY, hotEmitter } from './hotEmitter';

describe('hotEmitter', () => {
  it('is one instance per global scope, even across two copies of the module', async () => {
    // A second copy of the package (another module instance) finds the same emitter.
    vi.resetModules();
    const copyPath = './hotEmitter?copy';
    const copy = (await import(/* @vite-ignore */ copyPath)) as typeof import('./hotEmitter');
    expect(copy.hotEmitter).toBe(hotEmitter);
    expect(getHotEmitter()).toBe(hotEmitter);
    expect((globalThis as Record<symbol, unknown>)[HOT_EMITTER_KEY]).toBe(hotEmitter);
  });

  it('works the way webpack hot/emitter is used', () => {
    const listener = vi.fn();
    const domListener = vi.fn();
    hotEmitter.on('webpackHotUpdate', listener);
    hotEmitter.addEventListener('webpackHotUpdate', (event) =>
      domListener((event as CustomEvent<{ currentHash: string }>).detail.currentHash),
    );
    hotEmitter.emit('webpackHotUpdate', 'f00dbabe');
    expect(listener).toHaveBeenCalledWith('f00dbabe');
    expect(domListener).toHaveBeenCalledWith('f00dbabe');
    hotEmitter.off('webpackHotUpdate', listener);
  });
});
