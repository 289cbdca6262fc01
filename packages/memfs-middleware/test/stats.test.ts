import { afterEach, describe, expect, it, vi } from 'vitest';
import webpack from 'webpack';
import { createMemfsMiddleware, type MemfsMiddleware } from '../src/index';
import { baseConfig, createCompiler, createFixture, type Fixture } from './helpers';

let fixture: Fixture | undefined;
let middleware: MemfsMiddleware | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) =>
    middleware ? middleware.close(() => resolve()) : resolve(),
  );
  middleware = undefined;
  await fixture?.cleanup();
  fixture = undefined;
});

async function buildWith(
  stats: false | 'minimal' | { preset: 'minimal'; colors: boolean },
): Promise<{ renders: number; logged: string[] }> {
  fixture = await createFixture();
  const render = vi.spyOn(webpack.Stats.prototype, 'toString');
  const logged: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args.join(' '));
  });
  middleware = createMemfsMiddleware(createCompiler(baseConfig(fixture.dir)), { stats });
  await middleware.ready();
  await new Promise((resolve) => setImmediate(resolve));
  return { renders: render.mock.calls.length, logged };
}

describe('stats printing', () => {
  it('never renders stats with stats: false (toString walks the whole compilation)', async () => {
    const { renders, logged } = await buildWith(false);
    expect(renders).toBe(0);
    expect(logged).toEqual([]);
  });

  it('prints the preset it is given', async () => {
    const { renders, logged } = await buildWith('minimal');
    expect(renders).toBe(1);
    expect(logged.join('\n')).toMatch(/compiled successfully/);
  });
});

// ESC [ … m, built from its code so the source holds no control character.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

describe('stats colours (as webpack-dev-middleware: webpack.cli.isColorSupported)', () => {
  it('colours the stats where colours are supported (FORCE_COLOR)', async () => {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', '1');
    const { logged } = await buildWith('minimal');
    expect(logged.join('\n')).toMatch(ANSI);
    expect(logged.join('\n').replace(new RegExp(ANSI.source, 'g'), '')).toMatch(
      /compiled successfully/,
    );
  });

  it('prints plain stats with NO_COLOR, and when the stats options say colors: false', async () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '1');
    const plain = await buildWith('minimal');
    expect(plain.logged.join('\n')).toMatch(/compiled successfully/);
    expect(plain.logged.join('\n')).not.toMatch(ANSI);
    await new Promise<void>((resolve) => middleware?.close(() => resolve()));
    await fixture?.cleanup();
    vi.restoreAllMocks();
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', '1');
    const off = await buildWith({ preset: 'minimal', colors: false });
    expect(off.logged.join('\n')).toMatch(/compiled successfully/);
    expect(off.logged.join('\n')).not.toMatch(ANSI);
  });
});
