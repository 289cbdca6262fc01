import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Configuration, type MultiCompiler } from 'webpack';
import { createMemfsMiddleware, type MemfsMiddleware } from '../src/index';
import {
  baseConfig,
  captureLogs,
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
  withFallThrough,
} from './helpers';

let fixture: Fixture;
let compiler: MultiCompiler;
let middleware: MemfsMiddleware;
let server: TestServer;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  fixture = await createFixture({
    'src/other.js': "console.log('other');\n",
    'src/hidden.js': "console.log('hidden');\n",
  });
  compiler = webpack([
    baseConfig(fixture.dir, {
      name: 'app',
      output: { path: join(fixture.dir, 'dist/app'), publicPath: '/app/' },
    }),
    baseConfig(fixture.dir, {
      name: 'hashed',
      entry: './src/other.js',
      output: {
        path: join(fixture.dir, 'dist/[fullhash]'),
        publicPath: '/static/[fullhash]/',
        filename: 'other.js',
      },
    }),
    {
      ...baseConfig(fixture.dir, {
        name: 'hidden',
        entry: './src/hidden.js',
        output: {
          path: join(fixture.dir, 'dist/hidden'),
          publicPath: '/hidden/',
          filename: 'hidden.js',
        },
      }),
      // webpack-dev-server's field; webpack's own Configuration type does not declare it.
      devServer: false,
    } as Configuration,
  ]);
  logs = captureLogs(compiler);
  middleware = createMemfsMiddleware(compiler, {
    stats: false,
    writeToDisk: (targetPath) => targetPath.endsWith('bundle.js'),
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

describe('MultiCompiler', () => {
  it("serves each child's output under its own publicPath, [fullhash] substituted", async () => {
    expect((await get(server.port, '/app/bundle.js')).text).toContain("console.log('hello')");
    const stats = middleware.context.stats as webpack.MultiStats;
    const hash = stats.stats[1]!.hash;
    expect((await get(server.port, `/static/${hash}/other.js`)).text).toContain(
      "console.log('other')",
    );
    expect((await get(server.port, '/static/other.js')).status).toBe(418);
    expect(middleware.getFilenameFromUrl(`/static/${hash}/other.js`)).toBe(
      join(fixture.dir, 'dist', hash!, 'other.js'),
    );
  });

  it('skips a child with devServer: false', async () => {
    expect((await get(server.port, '/hidden/hidden.js')).status).toBe(418);
  });

  it('writeToDisk as a function: serves from memory and writes the accepted files once', async () => {
    const onDisk = join(fixture.dir, 'dist/app/bundle.js');
    expect(existsSync(onDisk)).toBe(true);
    expect(readFileSync(onDisk, 'utf8')).toContain("console.log('hello')");
    const hash = (middleware.context.stats as webpack.MultiStats).stats[1]!.hash!;
    expect(existsSync(join(fixture.dir, 'dist', hash, 'other.js'))).toBe(false);
    // The served fs is memfs, not the disk.
    expect(
      middleware.context.outputFileSystem
        .statSync(join(fixture.dir, 'dist', hash, 'other.js'))
        .isFile(),
    ).toBe(true);
    const written = logs.filter(
      (l) => l.text.includes('Asset written to disk') && l.text.includes('bundle.js'),
    );
    expect(written).toHaveLength(1);
    expect(written[0]!.text).toBe(`Child "app": Asset written to disk: "${onDisk}"`);
  });
});
