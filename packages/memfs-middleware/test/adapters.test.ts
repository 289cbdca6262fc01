import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Hapi from '@hapi/hapi';
import { serve as serveHono2 } from '@hono/node-server';
import connect from 'connect';
import express from 'express';
import express5 from 'express-5';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve as serveHono1 } from 'hono-node-server-1';
import Koa from 'koa';
import { createFsFromVolume, Volume } from 'memfs';
import Router from 'router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import { createFastifyPlugin } from '../src/fastify';
import { createHapiPlugin } from '../src/hapi';
import { createHonoMiddleware } from '../src/hono';
import {
  createMemfsMiddleware,
  type MemfsMiddleware,
  type MemfsMiddlewareOptions,
} from '../src/index';
import { createKoaMiddleware } from '../src/koa';
import {
  baseConfig,
  captureLogs,
  countHeader,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  listen,
} from './helpers';

/**
 * Every framework webpack-dev-middleware's own suite runs it in, each with the real package,
 * on one real webpack compiler. Each app answers `/app` (a route that reads the SSR locals),
 * answers what the middleware lets through with 418 `next`, and turns a forwarded error into
 * `forwarded <status>`.
 */

let fixture: Fixture;
let compiler: Compiler;
const devMiddlewares: MemfsMiddleware[] = [];
const closers: Array<() => Promise<void>> = [];

// One memfs for all instances: webpack does not re-emit unchanged assets into a new volume.
const fs = createFsFromVolume(new Volume());

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
  await fixture?.cleanup();
});

/** Each app gets its own instance; the first one's watcher is reused by the rest. */
async function ready(mw: MemfsMiddleware): Promise<void> {
  devMiddlewares.push(mw);
  if (devMiddlewares.length > 1) mw.invalidate();
  await mw.ready();
  if (devMiddlewares.length === 1) {
    // Files webpack did not emit, staged in the served fs as webpack-dev-middleware's tests do.
    const dist = join(fixture.dir, 'dist');
    fs.mkdirSync(join(dist, '%foo%'), { recursive: true });
    fs.writeFileSync(join(dist, '%foo%', '%foo%.js'), 'percent();\n');
    fs.writeFileSync(join(dist, 'page.phtml'), '<p>php-ish</p>\n');
  }
}

type Ssr = { webpack?: { devMiddleware: { stats: unknown } } } | undefined;

const appBody = (locals: Ssr) => ({
  route: 'app',
  ssr: Boolean(locals?.webpack?.devMiddleware.stats),
});

interface Running {
  port: number;
}

interface Framework {
  name: string;
  /** What `forwardError` does there: `next(error)`, or (Koa, Hono, hapi) plain `next()`. */
  forwards: 'error' | 'next';
  start(options: MemfsMiddlewareOptions): Promise<Running>;
}

function portOf(address: ReturnType<import('node:net').Server['address']>): number {
  return (address as AddressInfo).port;
}

type ErrorWithStatus = Error & { statusCode?: number };

/** connect, express 4/5 and router: the node middleware itself, no wrapper. */
function connectStyle(
  name: string,
  createApp: () => {
    use(...args: unknown[]): unknown;
    (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  },
): Framework {
  return {
    name,
    forwards: 'error',
    async start(options) {
      const mw = createMemfsMiddleware(compiler, options);
      await ready(mw);
      const app = createApp();
      app.use(mw);
      app.use('/app', (_req: IncomingMessage, res: ServerResponse & { locals?: Ssr }) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(appBody(res.locals)));
      });
      app.use((_req: IncomingMessage, res: ServerResponse) => {
        res.statusCode = 418;
        res.end('next');
      });
      app.use(
        (error: ErrorWithStatus, _req: IncomingMessage, res: ServerResponse, _next: unknown) => {
          res.statusCode = error.statusCode ?? 500;
          res.end(`forwarded ${error.statusCode}`);
        },
      );
      const server = await listen(
        createServer((req, res) =>
          app(req, res, (error) => {
            res.statusCode = 500;
            res.end(`unhandled ${String(error)}`);
          }),
        ),
      );
      closers.push(server.close);
      return server;
    },
  };
}

const frameworks: Framework[] = [
  connectStyle('connect', () => connect() as never),
  connectStyle('express 4', () => express() as never),
  connectStyle('express 5', () => express5() as never),
  connectStyle('router', () => Router() as never),
  {
    name: 'koa',
    forwards: 'next',
    async start(options) {
      const mw = createKoaMiddleware(compiler, options);
      await ready(mw.devMiddleware);
      const app = new Koa();
      // Upstream: runs its second half after the middleware answered (point 5 of issue 16).
      app.use(async (ctx, next) => {
        await next();
        ctx.set('X-Upstream', 'after');
        if (ctx.query.as === 'text') ctx.type = 'text/plain';
      });
      app.use(mw);
      app.use((ctx) => {
        if (ctx.path === '/app') {
          ctx.body = appBody(ctx.state as Ssr);
          return;
        }
        ctx.status = 418;
        ctx.body = 'next';
      });
      const server = await listen(app.callback());
      closers.push(server.close);
      return server;
    },
  },
  {
    name: 'fastify',
    forwards: 'error',
    async start(options) {
      const plugin = createFastifyPlugin(compiler, options);
      await ready(plugin.devMiddleware);
      const app = Fastify();
      await app.register(plugin);
      app.get('/app', async (_request, reply) =>
        appBody((reply.raw as unknown as { locals?: Ssr }).locals),
      );
      app.setNotFoundHandler((_request, reply) => reply.code(418).send('next'));
      app.setErrorHandler((error: ErrorWithStatus, _request, reply) =>
        reply.code(error.statusCode ?? 500).send(`forwarded ${error.statusCode}`),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return { port: portOf(app.server.address()) };
    },
  },
  ...(
    [
      ['hono (@hono/node-server 1.19.9)', serveHono1],
      ['hono (@hono/node-server 2)', serveHono2],
    ] as const
  ).map(
    ([name, serve]): Framework => ({
      name,
      forwards: 'next',
      async start(options) {
        const mw = createHonoMiddleware(compiler, options);
        await ready(mw.devMiddleware);
        const app = new Hono<{ Variables: { webpack: NonNullable<Ssr>['webpack'] } }>();
        app.use(mw);
        app.get('/app', (c) => c.json(appBody({ webpack: c.get('webpack') })));
        app.notFound((c) => c.text('next', 418));
        const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
        await new Promise<void>((resolve) => server.once('listening', () => resolve()));
        closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
        return { port: portOf(server.address()) };
      },
    }),
  ),
  {
    name: 'hapi',
    forwards: 'next',
    async start(options) {
      const server = Hapi.server({ port: 0, host: '127.0.0.1' });
      await server.register({ plugin: createHapiPlugin(), options: { compiler, ...options } });
      await ready(
        (server as unknown as { webpackDevMiddleware: MemfsMiddleware }).webpackDevMiddleware,
      );
      server.route({
        method: 'GET',
        path: '/app',
        handler: (request) => appBody((request.raw.res as { locals?: Ssr }).locals),
      });
      server.route({
        method: '*',
        path: '/{any*}',
        handler: (_request, h) => h.response('next').code(418),
      });
      await server.start();
      closers.push(() => server.stop());
      return { port: server.info.port as number };
    },
  },
];

const options: MemfsMiddlewareOptions = {
  stats: false,
  etag: 'weak',
  serverSideRender: true,
  outputFileSystem: fs as never,
  mimeTypes: { phtml: ['text/html'] },
};

for (const framework of frameworks) {
  describe(framework.name, () => {
    let port: number;
    beforeAll(async () => {
      ({ port } = await framework.start(options));
    });

    it('serves the bundle with its headers, one Content-Length', async () => {
      const reply = await get(port, '/bundle.js');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(countHeader(reply, 'content-length')).toBe(1);
      expect(Number(reply.headers['content-length'])).toBe(reply.body.byteLength);
      expect(reply.text).toContain("console.log('hello')");
      expect(reply.headers.etag).toMatch(/^W\//);
    });

    it('answers HEAD without a body, ranges with 206, If-None-Match with 304', async () => {
      const full = await get(port, '/bundle.js');
      const head = await get(port, '/bundle.js', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.byteLength).toBe(0);
      expect(countHeader(head, 'content-length')).toBe(1);
      expect(Number(head.headers['content-length'])).toBe(full.body.byteLength);
      const range = await get(port, '/bundle.js', { headers: { Range: 'bytes=0-0' } });
      expect(range.status).toBe(206);
      expect(range.headers['content-length']).toBe('1');
      expect(range.body.byteLength).toBe(1);
      const etag = String(full.headers.etag);
      const notModified = await get(port, '/bundle.js', { headers: { 'If-None-Match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.body.byteLength).toBe(0);
    });

    it('answers escapes with the 403 page', async () => {
      const reply = await get(port, '/..%2fsecret');
      expect(reply.status).toBe(403);
      expect(reply.headers['content-security-policy']).toBe("default-src 'none'");
      expect(countHeader(reply, 'content-length')).toBe(1);
      expect(reply.text).toContain('<pre>Forbidden</pre>');
    });

    it('lets other paths through to the framework, with the SSR locals set', async () => {
      const reply = await get(port, '/app');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text)).toEqual({ route: 'app', ssr: true });
      expect((await get(port, '/nothing-here.js')).text).toBe('next');
    });

    it('serves /%foo%/%foo%.js (not valid percent-encoding) as webpack-dev-middleware does', async () => {
      const reply = await get(port, '/%foo%/%foo%.js');
      if (framework.name === 'fastify') {
        // find-my-way refuses the URL before any hook runs (so it does under
        // webpack-dev-middleware with @fastify/express too): Fastify's own 400.
        expect(reply.status).toBe(400);
        expect(reply.text).toContain('is not a valid url component');
        return;
      }
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('percent();\n');
      // Decoding what is valid and keeping the rest does not widen containment.
      expect((await get(port, '/%foo%/..%2f..%2f%foo%')).status).toBe(403);
    });

    it('takes mimeTypes values as arrays (mime-db shape)', async () => {
      const reply = await get(port, '/page.phtml');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    });

    it('serves nothing under a malformed publicPath URL (404 in webpack-dev-middleware)', async () => {
      const { port: other } = await framework.start({
        ...options,
        publicPath: 'https://test:malfor%5Med@test.example.com',
      });
      const reply = await get(other, '/bundle.js');
      expect(reply.status).toBe(418);
      expect(reply.text).toBe('next');
    });

    it(
      framework.forwards === 'error'
        ? 'forwardError: hands the 403 to the error handler as next(error)'
        : 'forwardError: calls next() instead of the 403 page (as webpack-dev-middleware 8 here)',
      async () => {
        const { port: other } = await framework.start({ ...options, forwardError: true });
        const reply = await get(other, '/..%2fsecret');
        if (framework.forwards === 'error') {
          expect(reply.status).toBe(403);
          expect(reply.text).toBe('forwarded 403');
        } else {
          expect(reply.status).toBe(418);
          expect(reply.text).toBe('next');
        }
        expect(reply.headers['content-security-policy']).toBeUndefined();
        expect((await get(other, '/bundle.js')).status).toBe(200);
      },
    );

    if (framework.name === 'koa') {
      it('lets an upstream Koa middleware set headers after await next()', async () => {
        const reply = await get(port, '/bundle.js');
        expect(reply.status).toBe(200);
        expect(reply.headers['x-upstream']).toBe('after');
        const retyped = await get(port, '/bundle.js?as=text');
        expect(retyped.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(retyped.text).toContain("console.log('hello')");
        expect(Number(retyped.headers['content-length'])).toBe(retyped.body.byteLength);
        const head = await get(port, '/bundle.js', { method: 'HEAD' });
        expect(head.headers['x-upstream']).toBe('after');
        expect(Number(head.headers['content-length'])).toBe(reply.body.byteLength);
        const page = await get(port, '/..%2fsecret');
        expect(page.status).toBe(403);
        expect(page.headers['x-upstream']).toBe('after');
      });
    }
  });
}
