import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { createFsFromVolume, Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import { createFastifyPlugin } from '../src/fastify';
import { createHonoMiddleware } from '../src/hono';
import { createMemfsMiddleware, type MemfsMiddleware } from '../src/index';
import { createKoaMiddleware } from '../src/koa';
import {
  baseConfig,
  captureLogs,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
} from './helpers';

let fixture: Fixture;
let compiler: Compiler;
const devMiddlewares: MemfsMiddleware[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fixture = await createFixture();
  compiler = createCompiler(baseConfig(fixture.dir));
  captureLogs(compiler);
});

afterAll(async () => {
  for (const close of closers) await close();
  await new Promise<void>((resolve) =>
    devMiddlewares[0] ? devMiddlewares[0].close(() => resolve()) : resolve(),
  );
  await fixture.cleanup();
});

/** Each framework gets its own instance; the first one's watcher is reused by the rest. */
async function ready(mw: MemfsMiddleware): Promise<void> {
  devMiddlewares.push(mw);
  if (devMiddlewares.length > 1) mw.invalidate();
  await mw.ready();
}

/** The same checks for every framework: file, HEAD, range, 304, 403 page, fall-through, SSR locals. */
function behaves(name: string, start: () => Promise<{ port: number }>): void {
  describe(name, () => {
    let port: number;
    beforeAll(async () => {
      ({ port } = await start());
    });

    it('serves the bundle with its headers', async () => {
      const reply = await get(port, '/bundle.js');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(Number(reply.headers['content-length'])).toBe(reply.body.byteLength);
      expect(reply.text).toContain("console.log('hello')");
      expect(reply.headers.etag).toMatch(/^W\//);
    });

    it('answers HEAD without a body, ranges with 206, If-None-Match with 304', async () => {
      const head = await get(port, '/bundle.js', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.byteLength).toBe(0);
      const range = await get(port, '/bundle.js', { headers: { Range: 'bytes=0-0' } });
      expect(range.status).toBe(206);
      expect(range.headers['content-length']).toBe('1');
      expect(range.body.byteLength).toBe(1);
      const etag = String((await get(port, '/bundle.js')).headers.etag);
      const notModified = await get(port, '/bundle.js', { headers: { 'If-None-Match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.body.byteLength).toBe(0);
    });

    it('answers escapes with the 403 page', async () => {
      const reply = await get(port, '/..%2fsecret');
      expect(reply.status).toBe(403);
      expect(reply.headers['content-security-policy']).toBe("default-src 'none'");
      expect(reply.text).toContain('<pre>Forbidden</pre>');
    });

    it('lets other paths through to the framework, with the SSR locals set', async () => {
      const reply = await get(port, '/app');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text)).toEqual({ route: 'app', ssr: true });
    });
  });
}

// One memfs for all instances: webpack does not re-emit unchanged assets into a new volume.
const options = {
  stats: false,
  etag: 'weak',
  serverSideRender: true,
  outputFileSystem: createFsFromVolume(new Volume()) as never,
} as const;

behaves('express', async () => {
  const mw = createMemfsMiddleware(compiler, options);
  await ready(mw);
  const app = express();
  app.use(mw);
  app.get('/app', (_req, res) => {
    res.json({ route: 'app', ssr: Boolean(res.locals.webpack?.devMiddleware.stats) });
  });
  const server: TestServer = await listen(app.listen(0, '127.0.0.1'));
  closers.push(server.close);
  return server;
});

behaves('koa', async () => {
  const mw = createKoaMiddleware(compiler, options);
  await ready(mw.devMiddleware);
  const app = new Koa();
  app.use(mw);
  app.use((ctx) => {
    const webpack = ctx.state.webpack as { devMiddleware: { stats: unknown } } | undefined;
    if (ctx.path === '/app')
      ctx.body = { route: 'app', ssr: Boolean(webpack?.devMiddleware.stats) };
  });
  const server = await listen(app.callback());
  closers.push(server.close);
  return server;
});

behaves('fastify', async () => {
  const plugin = createFastifyPlugin(compiler, options);
  await ready(plugin.devMiddleware);
  const app = Fastify();
  await app.register(plugin);
  app.get('/app', async (request, reply) => {
    const locals = (
      reply.raw as unknown as { locals?: { webpack?: { devMiddleware: { stats: unknown } } } }
    ).locals;
    void request;
    return { route: 'app', ssr: Boolean(locals?.webpack?.devMiddleware.stats) };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0 };
});

behaves('hono (@hono/node-server)', async () => {
  const mw = createHonoMiddleware(compiler, options);
  await ready(mw.devMiddleware);
  const app = new Hono<{ Variables: { webpack: { devMiddleware: { stats: unknown } } } }>();
  app.use(mw);
  app.get('/app', (c) =>
    c.json({ route: 'app', ssr: Boolean(c.get('webpack')?.devMiddleware.stats) }),
  );
  const server = serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0 };
});
