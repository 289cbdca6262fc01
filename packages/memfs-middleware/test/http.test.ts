import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { waitFor } from '@hmrkit/test-utils';
import { createFsFromVolume, Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import {
  createMemfsMiddleware,
  type MemfsMiddleware,
  type MemfsMiddlewareOptions,
  type ServedFileSystem,
} from '../src/index';
import {
  baseConfig,
  captureLogs,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  type LogEntry,
  listen,
  type TestServer,
  withFallThrough,
} from './helpers';

const BIG = Buffer.from('0123456789'.repeat(500)); // 5000 bytes

let fixture: Fixture;
let compiler: Compiler;
let fs: ServedFileSystem & ReturnType<typeof createFsFromVolume>;
let logs: LogEntry[];
let out: string;
const instances: MemfsMiddleware[] = [];
const servers: TestServer[] = [];

/** One middleware per option set, all on the one compiler and the one staged memfs. */
async function serve(
  options: MemfsMiddlewareOptions = {},
  fallThrough = true,
): Promise<{ port: number; mw: MemfsMiddleware }> {
  const mw = createMemfsMiddleware(compiler, { stats: false, outputFileSystem: fs, ...options });
  instances.push(mw);
  mw.invalidate();
  await mw.ready();
  const server = await listen(fallThrough ? withFallThrough(mw) : (req, res) => void mw(req, res));
  servers.push(server);
  return { port: server.port, mw };
}

beforeAll(async () => {
  fixture = await createFixture({
    'src/index.js':
      "export const image = new URL('./image.svg', import.meta.url);\nconsole.log('hello');\n",
    'src/image.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
  });
  out = join(fixture.dir, 'dist');
  compiler = createCompiler(
    baseConfig(fixture.dir, {
      output: { assetModuleFilename: '[contenthash][ext]' },
      watchOptions: { aggregateTimeout: 20 },
    }),
  );
  logs = captureLogs(compiler);
  fs = createFsFromVolume(new Volume()) as typeof fs;
  const stage: Record<string, string | Buffer> = {
    'index.html': '<h1>home</h1>',
    'one.txt': 'x',
    'empty.txt': '',
    'big.txt': BIG,
    'dir/nested/index.html': '<h1>nested</h1>',
    'föö.js': 'föö',
    'pathname with spaces.js': 'spaces',
    'test & test & %20.txt': 'amp',
    'complex/foo.js': 'complex',
    'custom/default.page': 'custom index',
    'file.unknownext': 'unknown',
    'file.phtml': '<p>php-ish</p>',
  };
  for (const [name, content] of Object.entries(stage)) {
    fs.mkdirSync(join(out, name, '..'), { recursive: true });
    fs.writeFileSync(join(out, name), content);
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await new Promise<void>((resolve) => {
    if (instances[0]) instances[0].close(() => resolve());
    else resolve();
  });
  await fixture.cleanup();
});

describe('basic serving', () => {
  let port: number;
  beforeAll(async () => {
    ({ port } = await serve());
  });

  it('serves the bundle with type, length and Accept-Ranges', async () => {
    const reply = await get(port, '/bundle.js');
    expect(reply.status).toBe(200);
    // mime-types 3 (the library webpack-dev-middleware 7.4 uses too) says text/javascript.
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(reply.headers['content-length'])).toBe(reply.body.byteLength);
    expect(reply.headers['accept-ranges']).toBe('bytes');
    expect(reply.text).toContain("console.log('hello')");
  });

  it('answers HEAD with the same headers and no body', async () => {
    const full = await get(port, '/bundle.js');
    const head = await get(port, '/bundle.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers['content-type']).toBe(full.headers['content-type']);
  });

  it('falls through for other methods and unknown paths', async () => {
    expect((await get(port, '/bundle.js', { method: 'POST' })).text).toBe('next');
    expect((await get(port, '/invalid.js')).text).toBe('next');
    expect((await get(port, '/complex')).text).toBe('next');
    expect((await get(port, '/%')).text).toBe('next');
    expect((await get(port, '/%FF')).text).toBe('next');
  });

  it('serves a directory index with and without the trailing slash', async () => {
    expect((await get(port, '/')).text).toBe('<h1>home</h1>');
    expect((await get(port, '/dir/nested/')).text).toBe('<h1>nested</h1>');
    const nested = await get(port, '/dir/nested');
    expect(nested.text).toBe('<h1>nested</h1>');
    expect(nested.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('decodes names once and normalizes inside the output folder', async () => {
    expect((await get(port, '/f%C3%B6%C3%B6.js')).text).toBe('föö');
    expect((await get(port, '/pathname%20with%20spaces.js')).text).toBe('spaces');
    expect((await get(port, '/test%20%26%20test%20%26%20%2520.txt')).text).toBe('amp');
    expect((await get(port, '/complex/./foo.js')).text).toBe('complex');
    expect((await get(port, '/complex/foo/../foo.js')).text).toBe('complex');
    expect((await get(port, '/public/../index.html')).text).toBe('<h1>home</h1>');
    expect((await get(port, '/bundle.js?foo=bar#hash')).status).toBe(200);
    expect((await get(port, `http://127.0.0.1:${port}/bundle.js`)).status).toBe(200);
  });

  it('sends the exact Content-Length for 0- and 1-byte bodies and keeps the connection usable', async () => {
    const empty = await get(port, '/empty.txt');
    expect(empty.status).toBe(200);
    expect(empty.headers['content-length']).toBe('0');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const viaAgent = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; length: string | undefined; body: string }>(
        (resolve, reject) => {
          httpRequest({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], body }),
            );
          })
            .on('error', reject)
            .end();
        },
      );
    try {
      const one = await viaAgent('/one.txt');
      expect(one).toEqual({ status: 200, length: '1', body: 'x' });
      const firstByte = await viaAgent('/one.txt', { Range: 'bytes=0-0' });
      expect(firstByte).toEqual({ status: 206, length: '1', body: 'x' });
      const bigFirst = await viaAgent('/big.txt', { Range: 'bytes=0-0' });
      expect(bigFirst).toEqual({ status: 206, length: '1', body: '0' });
      // Same socket: a wrong Content-Length above would corrupt this response.
      const after = await viaAgent('/index.html');
      expect(after).toEqual({ status: 200, length: '13', body: '<h1>home</h1>' });
    } finally {
      agent.destroy();
    }
  });

  it('answers single ranges with 206', async () => {
    for (const range of ['bytes=3000-3500', 'BYTES=3000-3500']) {
      const reply = await get(port, '/big.txt', { headers: { range } });
      expect(reply.status).toBe(206);
      expect(reply.headers['content-length']).toBe('501');
      expect(reply.headers['content-range']).toBe('bytes 3000-3500/5000');
      expect(reply.body.equals(BIG.subarray(3000, 3501))).toBe(true);
    }
    const head = await get(port, '/big.txt', {
      method: 'HEAD',
      headers: { Range: 'bytes=3000-3500' },
    });
    expect(head.status).toBe(206);
    expect(head.headers['content-length']).toBe('501');
    expect(head.body.byteLength).toBe(0);
    const combined = await get(port, '/big.txt', { headers: { Range: 'bytes=0-499, 499-800' } });
    expect(combined.status).toBe(206);
    expect(combined.headers['content-range']).toBe('bytes 0-800/5000');
  });

  it('answers an unsatisfiable range with 416 and bytes */size', async () => {
    const reply = await get(port, '/big.txt', { headers: { Range: 'bytes=9999999-' } });
    expect(reply.status).toBe(416);
    expect(reply.headers['content-range']).toBe('bytes */5000');
    expect(reply.text).toContain('<pre>Range Not Satisfiable</pre>');
    expect(logs.some((l) => l.text === "Unsatisfiable range for 'Range' header.")).toBe(true);
  });

  it('sends the full body for malformed and multiple ranges', async () => {
    for (const range of ['abc', 'bytes', 'bytes=3000-3100,3200-3300']) {
      const reply = await get(port, '/big.txt', { headers: { Range: range } });
      expect(reply.status, range).toBe(200);
      expect(reply.body.byteLength).toBe(5000);
    }
    expect(logs.some((l) => l.text.startsWith("A malformed 'Range' header"))).toBe(true);
    expect(logs.some((l) => l.text.startsWith("A 'Range' header with multiple ranges"))).toBe(true);
  });

  it('answers a null byte with 400 and an escape with 403, as a safe HTML page', async () => {
    const bad = await get(port, '/bundle.js%00');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<pre>Bad Request</pre>');
    const forbidden = await get(port, '/..%2f<script>alert(1)</script>');
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toBe(
      '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Forbidden</pre>\n</body>\n</html>',
    );
    expect(forbidden.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(forbidden.headers['content-security-policy']).toBe("default-src 'none'");
    expect(forbidden.headers['x-content-type-options']).toBe('nosniff');
    expect(
      logs.some((l) => l.type === 'error' && l.text.startsWith('Malicious path "/..%2f')),
    ).toBe(true);
  });

  it('getFilenameFromUrl maps URLs to output files', () => {
    const mw = instances[0]!;
    expect(mw.getFilenameFromUrl('/bundle.js')).toBe(join(out, 'bundle.js'));
    expect(mw.getFilenameFromUrl('/dir/nested/')).toBe(join(out, 'dir/nested/index.html'));
    expect(mw.getFilenameFromUrl('/nope.js')).toBeUndefined();
    expect(mw.getFilenameFromUrl('/..%2fsecret')).toBeUndefined();
  });
});

describe('without next()', () => {
  it('answers unknown paths with the 404 page on bare node:http', async () => {
    const { port } = await serve({}, false);
    const reply = await get(port, '/missing.js');
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('<pre>Not Found</pre>');
  });
});

describe('conditional requests', () => {
  let port: number;
  let etag: string;
  let lastModified: string;
  beforeAll(async () => {
    ({ port } = await serve({ etag: 'weak', lastModified: true }));
    const reply = await get(port, '/bundle.js');
    etag = String(reply.headers.etag);
    lastModified = String(reply.headers['last-modified']);
  });

  it('sends a weak ETag and Last-Modified', () => {
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Date.parse(lastModified)).not.toBeNaN();
  });

  it('answers If-None-Match with 304 and no entity headers', async () => {
    for (const value of [etag, `${etag}, "test"`, '*']) {
      const reply = await get(port, '/bundle.js', { headers: { 'If-None-Match': value } });
      expect(reply.status, value).toBe(304);
      expect(reply.body.byteLength).toBe(0);
      expect(reply.headers['content-type']).toBeUndefined();
      expect(reply.headers['content-length']).toBeUndefined();
    }
    expect((await get(port, '/bundle.js', { headers: { 'If-None-Match': '"test"' } })).status).toBe(
      200,
    );
  });

  it('lets request Cache-Control: no-cache force a full response', async () => {
    const reply = await get(port, '/bundle.js', {
      headers: { 'If-None-Match': etag, 'Cache-Control': 'no-cache' },
    });
    expect(reply.status).toBe(200);
    const match = await get(port, '/bundle.js', {
      headers: { 'If-Match': etag, 'Cache-Control': 'no-cache' },
    });
    expect(match.status).toBe(200);
  });

  it('answers If-Match', async () => {
    expect((await get(port, '/bundle.js', { headers: { 'If-Match': etag } })).status).toBe(200);
    expect((await get(port, '/bundle.js', { headers: { 'If-Match': '*' } })).status).toBe(200);
    const failed = await get(port, '/bundle.js', { headers: { 'If-Match': '"test"' } });
    expect(failed.status).toBe(412);
    expect(failed.text).toContain('<pre>412</pre>');
  });

  it('answers If-Modified-Since and If-Unmodified-Since', async () => {
    expect(
      (await get(port, '/bundle.js', { headers: { 'If-Modified-Since': lastModified } })).status,
    ).toBe(304);
    const past = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await get(port, '/bundle.js', { headers: { 'If-Modified-Since': past } })).status).toBe(
      200,
    );
    expect(
      (await get(port, '/bundle.js', { headers: { 'If-Unmodified-Since': past } })).status,
    ).toBe(412);
    expect(
      (await get(port, '/bundle.js', { headers: { 'If-Unmodified-Since': lastModified } })).status,
    ).toBe(200);
  });

  it('honours If-Range', async () => {
    const stale = await get(port, '/big.txt', {
      headers: { Range: 'bytes=0-9', 'If-Range': '"test"' },
    });
    expect(stale.status).toBe(200);
    const big = await get(port, '/big.txt');
    const current = await get(port, '/big.txt', {
      headers: { Range: 'bytes=0-9', 'If-Range': String(big.headers.etag) },
    });
    expect(current.status).toBe(206);
    const byDate = await get(port, '/big.txt', {
      headers: { Range: 'bytes=0-9', 'If-Range': String(big.headers['last-modified']) },
    });
    expect(byDate.status).toBe(206);
  });

  it('sends a strong ETag over the bytes', async () => {
    const strong = await serve({ etag: 'strong' });
    const reply = await get(strong.port, '/empty.txt');
    expect(reply.headers.etag).toBe('"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"');
    const bundle = await get(strong.port, '/bundle.js');
    expect(bundle.headers.etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const again = await get(strong.port, '/bundle.js', {
      headers: { 'If-None-Match': String(bundle.headers.etag) },
    });
    expect(again.status).toBe(304);
  });
});

describe('options', () => {
  it('methods: only the listed methods are served', async () => {
    const { port } = await serve({ methods: ['POST'] });
    expect((await get(port, '/bundle.js')).text).toBe('next');
    expect((await get(port, '/bundle.js', { method: 'HEAD' })).status).toBe(418);
    expect((await get(port, '/bundle.js', { method: 'POST' })).status).toBe(200);
  });

  it('index: false and a custom index with mimeTypeDefault', async () => {
    const off = await serve({ index: false });
    expect((await get(off.port, '/')).text).toBe('next');
    const custom = await serve({ index: 'default.page', mimeTypeDefault: 'text/x-custom' });
    const reply = await get(custom.port, '/custom/');
    expect(reply.text).toBe('custom index');
    expect(reply.headers['content-type']).toBe('text/x-custom');
    const unknown = await get(off.port, '/file.unknownext');
    expect(unknown.headers['content-type']).toBeUndefined();
  });

  it('mimeTypes: extra types for this instance', async () => {
    const { port } = await serve({ mimeTypes: { phtml: 'text/html' } });
    expect((await get(port, '/file.phtml')).headers['content-type']).toBe(
      'text/html; charset=utf-8',
    );
  });

  it('cacheControl: boolean, milliseconds, string and object', async () => {
    const cases: Array<[MemfsMiddlewareOptions['cacheControl'], string | undefined]> = [
      [true, 'public, max-age=31536000'],
      [false, undefined],
      [100_000, 'public, max-age=100'],
      [99_999_999_999, 'public, max-age=31536000'],
      [-5, 'public, max-age=0'],
      ['max-age=100', 'max-age=100'],
      [{ maxAge: 100_000, immutable: true }, 'public, max-age=100, immutable'],
      [{ immutable: true }, 'public, max-age=31536000, immutable'],
      [{}, 'public, max-age=31536000'],
    ];
    for (const [cacheControl, expected] of cases) {
      const { port } = await serve({ cacheControl });
      expect(
        (await get(port, '/bundle.js')).headers['cache-control'],
        JSON.stringify(cacheControl),
      ).toBe(expected);
    }
  });

  it('cacheImmutable: webpack-immutable assets get a year and immutable, beating cacheControl', async () => {
    const { port, mw } = await serve({ cacheImmutable: true, cacheControl: 'no-store' });
    const stats = await mw.ready();
    const svg = Object.keys((stats as import('webpack').Stats).compilation.assets).find((n) =>
      n.endsWith('.svg'),
    );
    expect(svg).toMatch(/^[0-9a-f]+\.svg$/);
    const reply = await get(port, `/${svg}`);
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(reply.headers['content-type']).toBe('image/svg+xml');
    expect((await get(port, '/bundle.js')).headers['cache-control']).toBe('no-store');
    const off = await serve({ cacheImmutable: false });
    expect((await get(off.port, `/${svg}`)).headers['cache-control']).toBeUndefined();
  });

  it('headers: object, array, and both function forms; they win over built-ins', async () => {
    const forms: MemfsMiddlewareOptions['headers'][] = [
      { 'X-Test': 'yes', 'Content-Type': 'text/plain' },
      [
        { key: 'X-Test', value: 'yes' },
        { key: 'Content-Type', value: 'text/plain' },
      ],
      (_req, res) => {
        res?.setHeader('X-Test', 'yes');
        res?.setHeader('Content-Type', 'text/plain');
      },
      () => ({ 'X-Test': 'yes', 'Content-Type': 'text/plain' }),
      () => [
        { key: 'X-Test', value: 'yes' },
        { key: 'Content-Type', value: 'text/plain' },
      ],
    ];
    for (const headers of forms) {
      const { port } = await serve({ headers });
      const reply = await get(port, '/bundle.js');
      expect(reply.headers['x-test']).toBe('yes');
      expect(reply.headers['content-type']).toBe('text/plain');
      // Only on found files.
      expect((await get(port, '/missing')).headers['x-test']).toBeUndefined();
    }
    const withContext = await serve({
      headers: (_req, _res, ctx) => ({ 'X-State': String(ctx.state) }),
    });
    expect((await get(withContext.port, '/bundle.js')).headers['x-state']).toBe('true');
  });

  it('modifyResponseData: replaces the body and its length, also on HEAD', async () => {
    const { port } = await serve({
      modifyResponseData: (_req, _res, data, byteLength) => {
        expect(Buffer.isBuffer(data)).toBe(true);
        expect(byteLength).toBeGreaterThan(0);
        return { data: Buffer.from('replaced'), byteLength: 8 };
      },
    });
    const reply = await get(port, '/bundle.js');
    expect(reply.text).toBe('replaced');
    expect(reply.headers['content-length']).toBe('8');
    expect((await get(port, '/bundle.js', { method: 'HEAD' })).headers['content-length']).toBe('8');
  });

  it('publicPath: prefixes, full URLs and auto', async () => {
    const cases: Array<[string, string, string]> = [
      ['/static/', '/static/bundle.js', '/bundle.js'],
      ['/static', '/static/bundle.js', '/bundle.js'],
      ['', '/bundle.js', '/static/bundle.js'],
      ['auto', '/bundle.js', '/static/bundle.js'],
      ['http://127.0.0.1/assets/', '/assets/bundle.js', '/bundle.js'],
      ['//test.domain/', '/bundle.js', '/static/bundle.js'],
    ];
    for (const [publicPath, served, notServed] of cases) {
      const { port } = await serve({ publicPath });
      expect((await get(port, served)).status, `${publicPath} ${served}`).toBe(200);
      expect((await get(port, notServed)).status, `${publicPath} ${notServed}`).toBe(418);
    }
  });

  it('serverSideRender: sets res.locals.webpack.devMiddleware before next()', async () => {
    const mw = createMemfsMiddleware(compiler, {
      stats: false,
      outputFileSystem: fs,
      serverSideRender: true,
    });
    instances.push(mw);
    mw.invalidate();
    const server = await listen((req, res) => {
      void mw(req, res, () => {
        const locals = (
          res as unknown as {
            locals: { webpack?: { devMiddleware: { state: boolean; stats: unknown } } };
          }
        ).locals;
        res.end(
          JSON.stringify({
            state: locals.webpack?.devMiddleware.state,
            stats: Boolean(locals.webpack?.devMiddleware.stats),
          }),
        );
      });
    });
    servers.push(server);
    expect(JSON.parse((await get(server.port, '/page')).text)).toEqual({
      state: true,
      stats: true,
    });
  });
});

describe('rebuilds', () => {
  it('holds requests during a rebuild and then serves the new bundle, never a stale one or a 404', async () => {
    const { port, mw } = await serve();
    const source = join(fixture.dir, 'src/index.js');
    writeFileSync(
      source,
      "export const image = new URL('./image.svg', import.meta.url);\nconsole.log('v2');\n",
    );
    await waitFor(() => !mw.context.state, { message: 'the rebuild to start' });
    const replies = await Promise.all([
      get(port, '/bundle.js'),
      get(port, '/bundle.js'),
      get(port, '/index.html'),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies[0]!.text).toContain("console.log('v2')");
    expect(replies[1]!.text).not.toContain("console.log('hello')");
    expect(logs.some((l) => l.text === 'wait until bundle finished: /bundle.js')).toBe(true);
  });

  it('invalidate() and waitUntilValid() run their callbacks with stats', async () => {
    const { mw } = await serve();
    const before = mw.context.stats;
    const stats = await new Promise((resolve) => mw.invalidate(resolve));
    expect(stats).toBeDefined();
    // The callback waits for the rebuild instead of firing with the old stats.
    expect(stats).not.toBe(before);
    const now = await new Promise((resolve) => mw.waitUntilValid(resolve));
    expect(now).toBe(mw.context.stats);
  });
});
