import { afterEach, describe, expect, it, vi } from 'vitest';
import webpack from 'webpack';
import { createMemfsMiddleware, type MemfsMiddleware } from '../src/index';
import { baseConfig, createCompiler, createFixture, type Fixture } from './helpers';

let fixture: Fixture | undefined;
let middleware: MemfsMiddleware | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) =>
    middleware ? middleware.close(() => resolve()) : resolve(),
  );
  middleware = undefined;
  await fixture?.cleanup();
  fixture = undefined;
});

async function buildWith(stats: false | 'minimal'): Promise<{ renders: number; logged: string[] }> {
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
