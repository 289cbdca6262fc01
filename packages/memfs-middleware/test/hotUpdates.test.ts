import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Compiler, type Stats } from 'webpack';
import { createHotUpdateTracker, MAX_HOT_UPDATE_GENERATIONS } from '../src/hotUpdates';
import {
  createMemfsMiddleware,
  type HotUpdateGeneration,
  type MemfsMiddleware,
} from '../src/index';
import {
  baseConfig,
  captureLogs,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
  withFallThrough,
} from './helpers';

const REBUILDS = 200;

let fixture: Fixture;
let compiler: Compiler;
let middleware: MemfsMiddleware;
let server: TestServer;
let volume: InstanceType<typeof Volume>;
let build = 0;

function listFiles(dir: string): string[] {
  const fs = createFsFromVolume(volume);
  const files: string[] = [];
  const walk = (folder: string, prefix: string): void => {
    for (const name of fs.readdirSync(folder) as string[]) {
      const path = join(folder, name);
      if (fs.statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files.push(`${prefix}${name}`);
    }
  };
  walk(dir, '');
  return files;
}

beforeAll(async () => {
  fixture = await createFixture({
    'src/index.js': 'console.log(BUILD);\nif (module.hot) module.hot.accept();\n',
  });
  compiler = createCompiler(
    baseConfig(fixture.dir, {
      cache: false,
      // An uncacheable define: every build changes the module, so every rebuild emits a hot update.
      plugins: [
        new webpack.HotModuleReplacementPlugin(),
        new webpack.DefinePlugin({
          BUILD: webpack.DefinePlugin.runtimeValue(() => String(build++), true),
        }),
      ],
    }),
  );
  captureLogs(compiler);
  volume = new Volume();
  middleware = createMemfsMiddleware(compiler, {
    stats: false,
    outputFileSystem: createFsFromVolume(volume) as never,
  });
  await middleware.ready();
  server = await listen(withFallThrough(middleware));
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) =>
    middleware ? middleware.close(() => resolve()) : resolve(),
  );
  await fixture.cleanup();
});

describe('hot-update files stay bounded', () => {
  it(`keeps at most ${MAX_HOT_UPDATE_GENERATIONS} generations over ${REBUILDS} rebuilds`, async () => {
    const out = join(fixture.dir, 'dist');
    const seen: HotUpdateGeneration[] = [];
    const unsubscribe = middleware.onHotUpdateGeneration((generation) => seen.push(generation));
    const hashes: string[] = [];
    for (let i = 0; i < REBUILDS; i++) {
      const stats = (await new Promise<unknown>((resolve) =>
        middleware.invalidate(resolve),
      )) as Stats;
      hashes.push(stats.hash ?? '');
    }
    unsubscribe();

    expect(seen.length).toBeGreaterThanOrEqual(REBUILDS);
    const hotFiles = listFiles(out).filter((name) => name.includes('.hot-update.'));
    // Without pruning this would be ~2 × REBUILDS files; each generation has a .json and a .js.
    expect(hotFiles.length).toBeGreaterThan(0);
    expect(hotFiles.length).toBeLessThanOrEqual(2 * MAX_HOT_UPDATE_GENERATIONS);
    expect(middleware.hotUpdateGenerations()).toHaveLength(MAX_HOT_UPDATE_GENERATIONS);

    // A client that fell behind during the burst walks through every generation it missed.
    for (const behind of [2, 3, 10, MAX_HOT_UPDATE_GENERATIONS]) {
      const manifest = await get(server.port, `/main.${hashes.at(-behind)}.hot-update.json`);
      expect(manifest.status).toBe(200);
      expect(JSON.parse(manifest.text)).toHaveProperty('c');
    }
    const ancient = await get(server.port, `/main.${hashes[10]}.hot-update.json`);
    expect(ancient.status).toBe(418);
  }, 60_000);
});

describe('hot-update pruning by age', () => {
  it('drops generations older than a minute but always keeps the newest two', () => {
    const removed: string[] = [];
    const fs = { unlinkSync: (file: string) => removed.push(file) } as never;
    let clock = 0;
    const tracker = createHotUpdateTracker(fs, { warn: () => {} }, { now: () => clock });
    const taps: {
      emitted?: (file: string, info: unknown) => void;
      done?: (stats: unknown) => void;
    } = {};
    const fakeCompiler = {
      name: undefined,
      hooks: {
        assetEmitted: { tap: (_: string, fn: typeof taps.emitted) => (taps.emitted = fn) },
        done: { tap: (_: string, fn: typeof taps.done) => (taps.done = fn) },
      },
    } as never;
    tracker.track(fakeCompiler);
    const build = (n: number, at: number): void => {
      clock = at;
      const file = `main.h${n}.hot-update.json`;
      taps.emitted?.(file, {
        targetPath: `/out/${file}`,
        compilation: {
          getAsset: (name: string) =>
            name === file ? { info: { hotModuleReplacement: true } } : undefined,
        },
      });
      taps.done?.({ hash: `h${n + 1}` });
    };
    build(1, 0);
    build(2, 1_000);
    build(3, 2_000);
    expect(removed).toEqual([]);
    build(4, 61_500);
    // h1 (61.5 s old) and h2 (60.5 s) expire; h3 is one of the newest two, so it stays.
    expect(removed).toEqual(['/out/main.h1.hot-update.json', '/out/main.h2.hot-update.json']);
    build(5, 200_000);
    build(6, 400_000);
    expect(tracker.generations().map((g) => g.hash)).toEqual(['h6', 'h7']);
  });
});

describe('requests during rapid rebuilds', () => {
  it('answers every request with the bundle while edits land 50 ms apart', async () => {
    // Requests that waited for a build used to be looked up against the stats the
    // next edit had already cleared, and got a 404 (a page reload into an error page).
    const statuses: number[] = [];
    // Requests all along, until the last edit's bundle is served (every build done), and
    // at least 20 of them.
    const poll = (async () => {
      for (;;) {
        const reply = await get(server.port, '/bundle.js');
        statuses.push(reply.status);
        if (/console\.log\(\d+, 10\)/.test(reply.text) && statuses.length > 20) return;
        // A request every few ms, beside the edits.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    for (let i = 1; i <= 10; i++) {
      writeFileSync(
        join(fixture.dir, 'src/index.js'),
        `console.log(BUILD, ${i});\nif (module.hot) module.hot.accept();\n`,
      );
      // The cadence under test: edits 50 ms apart.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await poll;
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  }, 30_000);
});
