import { createEmitter, type HotEvents } from '@hmrkit/hot-emitter';
import { describe, expect, it } from 'vitest';
import {
  createConsoleSpy,
  createFakeTransports,
  createFakeWindow,
  FakeOverlay,
} from '../test/fakes';
import { createClient, createOverlayFilter } from './client';

// What webpack-dev-server 5 (and our dev-server) put in the entry query for a function.
const encode = (fn: (problem: never) => boolean): string => encodeURIComponent(fn.toString());

describe('createOverlayFilter', () => {
  it('rebuilds a function from its encoded source and calls it with the problem', () => {
    const filter = createOverlayFilter(
      encode((error: Error) => !error.message.includes('ResizeObserver')),
    );
    expect(typeof filter).toBe('function');
    if (typeof filter !== 'function') return;
    expect(filter(new Error('ResizeObserver loop limit exceeded'))).toBe(false);
    expect(filter(new Error('a bug'))).toBe(true);
  });

  it('takes function declarations too, and booleans as they are', () => {
    const filter = createOverlayFilter(
      encodeURIComponent('function keep(problem) { return problem.moduleName !== "./noise.js"; }'),
    );
    if (typeof filter !== 'function') throw new Error('no filter');
    expect(filter({ moduleName: './noise.js' })).toBe(false);
    expect(createOverlayFilter(false)).toBe(false);
    expect(createOverlayFilter(true)).toBe(true);
    expect(createOverlayFilter(undefined)).toBe(true);
  });

  it('shows everything, with a warning, when the source does not compile', () => {
    const out = createConsoleSpy();
    const warnings: unknown[][] = [];
    expect(createOverlayFilter('%28%28%28', { warn: (...args) => warnings.push(args) })).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(out.lines).toEqual([]);
  });
});

describe('createClient with overlay filter functions', () => {
  function setup(overlay: Record<string, unknown>) {
    const transports = createFakeTransports();
    const fake = new FakeOverlay();
    createClient(
      { hot: true, liveReload: true, overlay },
      {
        transport: transports.factory,
        window: createFakeWindow(),
        console: createConsoleSpy(),
        overlay: fake,
        emitter: createEmitter<HotEvents>({ dispatchEvents: false }),
        currentHash: 'aaa',
      },
    );
    const socket = transports.all[0]!;
    socket.open();
    return { socket, fake };
  }

  it('shows only the build errors and warnings the filters keep', () => {
    const { socket, fake } = setup({
      errors: encode((problem: { message: string }) => !problem.message.includes('ignored')),
      warnings: encode(() => false),
    });
    socket.deliver(
      { type: 'hash', data: 'bbb' },
      { type: 'warnings', data: [{ message: 'a warning' }], params: { preventReloading: true } },
      { type: 'errors', data: [{ message: 'ignored error' }, { message: 'real error' }] },
    );
    expect(fake.shown.at(-1)).toEqual({ errors: [{ message: 'real error' }], warnings: [] });
  });

  it('keeps the overlay closed when the filters keep nothing', () => {
    const { socket, fake } = setup({ errors: encode(() => false) });
    socket.deliver({ type: 'hash', data: 'bbb' }, { type: 'errors', data: [{ message: 'x' }] });
    expect(fake.state).toBe('hidden');
  });
});
