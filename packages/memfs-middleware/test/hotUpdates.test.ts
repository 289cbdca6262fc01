import { join } from 'node:path';
import { createFsFromVolume, Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Compiler, type Stats } from 'webpack';
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
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) =>
    fs.statSync(join(dir, name)).isFile(),
  );
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
  it(`keeps the last two generations over ${REBUILDS} rebuilds`, async () => {
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
    // Without pruning this would be ~2 × REBUILDS files.
    expect(hotFiles.length).toBeGreaterThan(0);
    expect(hotFiles.length).toBeLessThanOrEqual(4);
    expect(listFiles(out).length).toBeLessThanOrEqual(5);
    expect(middleware.hotUpdateGenerations()).toHaveLength(2);

    // The update a client on the previous hash asks for is served; one from long ago is gone.
    const previousHash = hashes.at(-2)!;
    const current = await get(server.port, `/main.${previousHash}.hot-update.json`);
    expect(current.status).toBe(200);
    expect(JSON.parse(current.text)).toHaveProperty('c');
    const oneBehind = await get(server.port, `/main.${hashes.at(-3)}.hot-update.json`);
    expect(oneBehind.status).toBe(200);
    const ancient = await get(server.port, `/main.${hashes[10]}.hot-update.json`);
    expect(ancient.status).toBe(418);
  }, 60_000);
});
