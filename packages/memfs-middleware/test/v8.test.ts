import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Compiler, Stats, Watching } from 'webpack';
import { createMemfsMiddleware, type MemfsMiddleware, MemfsMiddlewareError } from '../src/index';
import {
  baseConfig,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
} from './helpers';

/** webpack-dev-middleware 8's API, and the v7 one where the two differ (`apiVersion`). */

let fixture: Fixture | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fixture?.cleanup();
  fixture = undefined;
});

function closeLater(mw: MemfsMiddleware): void {
  cleanups.push(() => new Promise<void>((resolve) => mw.close(() => resolve())));
}

async function serve(mw: MemfsMiddleware): Promise<TestServer> {
  const app = express();
  app.use(mw);
  app.use((_req, res) => {
    res.status(418).send('next');
  });
  const server = await listen(app.listen(0, '127.0.0.1'));
  cleanups.push(server.close);
  return server;
}

async function hashedCompiler(): Promise<Compiler> {
  fixture = await createFixture();
  return createCompiler(
    baseConfig(fixture.dir, { output: { filename: '[name].[contenthash].js' } }),
  );
}

function hashedName(mw: MemfsMiddleware): string {
  const stats = mw.context.stats as Stats;
  return stats.toJson({ all: false, assets: true }).assetsByChunkName?.main?.[0] as string;
}

describe('getFilenameFromUrl', () => {
  it('apiVersion 7 (default): returns the filename, undefined for a miss or a 403 path', async () => {
    fixture = await createFixture();
    const mw = createMemfsMiddleware(createCompiler(baseConfig(fixture.dir)), { stats: false });
    closeLater(mw);
    await mw.ready();
    expect(mw.getFilenameFromUrl('/bundle.js')).toBe(join(fixture.dir, 'dist', 'bundle.js'));
    expect(mw.getFilenameFromUrl('/missing.js')).toBeUndefined();
    expect(mw.getFilenameFromUrl('/..%2fsecret')).toBeUndefined();
  });

  it('apiVersion 8: resolves to { filename, extra: { stats, outputFileSystem, immutable } }', async () => {
    fixture = await createFixture();
    const mw = createMemfsMiddleware(createCompiler(baseConfig(fixture.dir)), {
      stats: false,
      apiVersion: 8,
    });
    closeLater(mw);
    await mw.ready();
    const pending = mw.getFilenameFromUrl('/bundle.js');
    expect(pending).toBeInstanceOf(Promise);
    const found = await pending;
    const filename = join(fixture.dir, 'dist', 'bundle.js');
    expect(found?.filename).toBe(filename);
    expect(found?.extra.outputFileSystem).toBe(mw.context.outputFileSystem);
    expect(found?.extra.stats.isFile()).toBe(true);
    expect(found?.extra.stats.size).toBe(
      (mw.context.outputFileSystem.readFileSync(filename) as Buffer).byteLength,
    );
    expect(found?.extra.immutable).toBe(false);
    expect(await mw.getFilenameFromUrl('/missing.js')).toBeUndefined();
    const rejected = await mw.getFilenameFromUrl('/..%2fsecret').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(MemfsMiddlewareError);
    expect((rejected as MemfsMiddlewareError).code).toBe('FORBIDDEN_PATH');
  });
});

describe('cacheImmutable', () => {
  it('is on by default with apiVersion 8, off by default with 7 (as in each major)', async () => {
    const compiler = await hashedCompiler();
    const v8 = createMemfsMiddleware(compiler, { stats: false, apiVersion: 8 });
    closeLater(v8);
    await v8.ready();
    const name = hashedName(v8);
    expect(name).toMatch(/^main\.[0-9a-f]+\.js$/);
    expect((await v8.getFilenameFromUrl(`/${name}`))?.extra.immutable).toBe(true);
    const served8 = await get((await serve(v8)).port, `/${name}`);
    expect(served8.status).toBe(200);
    expect(served8.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const v7 = createMemfsMiddleware(compiler, {
      stats: false,
      outputFileSystem: v8.context.outputFileSystem,
    });
    v7.invalidate();
    await v7.ready();
    const served7 = await get((await serve(v7)).port, `/${name}`);
    expect(served7.status).toBe(200);
    expect(served7.headers['cache-control']).toBeUndefined();

    const v8Off = createMemfsMiddleware(compiler, {
      stats: false,
      apiVersion: 8,
      cacheImmutable: false,
      outputFileSystem: v8.context.outputFileSystem,
    });
    v8Off.invalidate();
    await v8Off.ready();
    const servedOff = await get((await serve(v8Off)).port, `/${name}`);
    expect(servedOff.headers['cache-control']).toBeUndefined();
  });
});

describe('plugin mode (createMemfsMiddleware(compiler, options, true))', () => {
  it('starts no watcher and prints no stats; serves once the caller runs compiler.watch()', async () => {
    fixture = await createFixture();
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args.join(' '));
    });
    let mw: MemfsMiddleware | undefined;
    const compiler = createCompiler(
      baseConfig(fixture.dir, {
        stats: 'normal',
        plugins: [
          {
            apply(inner: Compiler) {
              mw = createMemfsMiddleware(inner, { stats: 'normal' }, true);
            },
          },
        ],
      }),
    );
    if (!mw) throw new Error('the plugin did not run');
    const middleware = mw;
    expect(compiler.watching).toBeUndefined();
    expect(middleware.context.watching).toBeUndefined();
    let statsFromWatch: string | undefined;
    const watching = compiler.watch({}, (error, stats) => {
      if (!error) statsFromWatch = stats?.toString({ preset: 'minimal', colors: false });
    }) as Watching;
    cleanups.push(() => new Promise<void>((resolve) => watching.close(() => resolve())));
    await middleware.ready();
    const { port } = await serve(middleware);
    const reply = await get(port, '/bundle.js');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("console.log('hello')");
    // invalidate() reaches the caller's watcher.
    const rebuilt = await new Promise((resolve) => middleware.invalidate(resolve));
    expect(rebuilt).toBe(middleware.context.stats);
    await new Promise((resolve) => setImmediate(resolve));
    expect(statsFromWatch).toMatch(/compiled successfully/);
    expect(logged).toEqual([]);
    // close() leaves the caller's watcher alone.
    await new Promise<void>((resolve) => middleware.close(() => resolve()));
    expect(watching.closed).toBe(false);
  });
});

describe('forwardError', () => {
  it('on node:http without a next(), still answers with the error page', async () => {
    fixture = await createFixture();
    const mw = createMemfsMiddleware(createCompiler(baseConfig(fixture.dir)), {
      stats: false,
      forwardError: true,
    });
    closeLater(mw);
    await mw.ready();
    const server = await listen((req, res) => {
      void mw(req, res);
    });
    cleanups.push(server.close);
    const reply = await get(server.port, '/..%2fsecret');
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('<pre>Forbidden</pre>');
  });

  it('hands express the status of every error page: 416 and 412 too', async () => {
    fixture = await createFixture();
    const mw = createMemfsMiddleware(createCompiler(baseConfig(fixture.dir)), {
      stats: false,
      etag: 'weak',
      forwardError: true,
    });
    closeLater(mw);
    await mw.ready();
    const app = express();
    app.use(mw);
    app.use(
      (
        error: Error & { statusCode: number; code: string },
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res.status(error.statusCode).json({ code: error.code, status: error.statusCode });
      },
    );
    const server = await listen(app.listen(0, '127.0.0.1'));
    cleanups.push(server.close);
    const unsatisfiable = await get(server.port, '/bundle.js', {
      headers: { Range: 'bytes=999999-' },
    });
    expect(unsatisfiable.status).toBe(416);
    expect(JSON.parse(unsatisfiable.text)).toEqual({ code: 'FORWARDED_ERROR', status: 416 });
    expect(unsatisfiable.headers['content-range']).toBeUndefined();
    const failed = await get(server.port, '/bundle.js', { headers: { 'If-Match': '"nope"' } });
    expect(failed.status).toBe(412);
    expect(JSON.parse(failed.text)).toEqual({ code: 'FORWARDED_ERROR', status: 412 });
    // The headers the middleware had set (its ETag, Accept-Ranges) were removed first.
    expect(failed.headers['accept-ranges']).toBeUndefined();
  });
});
