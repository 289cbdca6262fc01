import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Compiler, type Configuration, rspack } from '@rspack/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemfsMiddleware,
  type HotUpdateGeneration,
  type MemfsMiddleware,
} from '../src/index';
import {
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
  withFallThrough,
} from './helpers';

// The same middleware on an Rspack compiler: no `compilation.assetsInfo` there, so asset
// info must come from `compilation.getAsset(name)`, which both compilers have.

let fixture: Fixture;
let compiler: Compiler;
let middleware: MemfsMiddleware;
let server: TestServer;

function rspackConfig(dir: string): Configuration {
  return {
    mode: 'development',
    context: dir,
    entry: './src/index.js',
    devtool: false,
    infrastructureLogging: { level: 'none' },
    stats: 'none',
    output: {
      path: join(dir, 'dist'),
      filename: 'bundle.js',
      chunkFilename: '[name].[contenthash].js',
      publicPath: '/',
    },
    plugins: [new rspack.HotModuleReplacementPlugin()],
  };
}

beforeAll(async () => {
  fixture = await createFixture({
    'src/index.js':
      "import('./lazy.js').then((m) => console.log(m.value));\nif (module.hot) module.hot.accept();\nconsole.log('hmrkit-version-1');\n",
    'src/lazy.js': 'export const value = 7;\n',
  });
  compiler = rspack(rspackConfig(fixture.dir));
  // The middleware's types are webpack's; Rspack's compiler has the same surface at run time.
  middleware = createMemfsMiddleware(compiler, { stats: false, cacheImmutable: true });
  await middleware.ready();
  server = await listen(withFallThrough(middleware));
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) =>
    middleware ? middleware.close(() => resolve()) : resolve(),
  );
  await fixture?.cleanup();
});

describe('memfs-middleware with Rspack', () => {
  it('serves the Rspack bundle from memory, nothing written to disk', async () => {
    const reply = await get(server.port, '/bundle.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.text).toContain('hmrkit-version-1');
    expect(existsSync(join(fixture.dir, 'dist'))).toBe(false);
    expect((await get(server.port, '/missing.js')).status).toBe(418);
  });

  it('reads immutable from the asset info (cacheImmutable on a content-hashed chunk)', async () => {
    const stats = (await new Promise((resolve) => middleware.waitUntilValid(resolve))) as {
      toJson(options: object): { assets?: Array<{ name: string }> };
    };
    const chunk = stats
      .toJson({ assets: true })
      .assets?.map((asset) => asset.name)
      .find((name) => /^src_lazy_js\.[0-9a-f]+\.js$/.test(name));
    expect(chunk).toBeDefined();
    const hashed = await get(server.port, `/${chunk}`);
    expect(hashed.status).toBe(200);
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await get(server.port, '/bundle.js');
    expect(plain.headers['cache-control']).toBeUndefined();
  });

  it('records and serves the hot-update files of a rebuild', async () => {
    const hashes: string[] = [];
    compiler.hooks.done.tap('test', (stats) => {
      hashes.push(stats.hash ?? '');
    });
    const first = (await new Promise((resolve) => middleware.waitUntilValid(resolve))) as {
      hash?: string;
    };
    hashes.push(first.hash ?? '');
    const generation = new Promise<HotUpdateGeneration>((resolve) => {
      const unsubscribe = middleware.onHotUpdateGeneration((g) => {
        unsubscribe();
        resolve(g);
      });
    });
    writeFileSync(
      join(fixture.dir, 'src/index.js'),
      "import('./lazy.js').then((m) => console.log(m.value));\nif (module.hot) module.hot.accept();\nconsole.log('hmrkit-version-2');\n",
    );
    const { files, hash } = await generation;
    // Named after the build before the one that emitted them, as the HMR runtime asks for them.
    const previous = hashes[hashes.indexOf(hash) - 1];
    const names = files.map((file) => file.slice(join(fixture.dir, 'dist').length + 1)).sort();
    expect(names).toEqual([`main.${previous}.hot-update.js`, `main.${previous}.hot-update.json`]);
    const manifest = await get(server.port, `/main.${previous}.hot-update.json`);
    expect(manifest.status).toBe(200);
    expect(JSON.parse(manifest.text)).toMatchObject({ c: ['main'] });
    const update = await get(server.port, `/main.${previous}.hot-update.js`);
    expect(update.status).toBe(200);
    expect(update.text).toContain('hmrkit-version-2');
    expect(existsSync(join(fixture.dir, 'dist'))).toBe(false);
  });
});
