import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTraversalCorpus, createTempDir, TRAVERSAL_MARKER } from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from 'webpack';
import { createMemfsMiddleware, type MemfsMiddleware } from '../src/index';
import {
  baseConfig,
  captureLogs,
  createCompiler,
  get,
  listen,
  type TestServer,
  withFallThrough,
} from './helpers';

const MARKER = TRAVERSAL_MARKER;

let root: string;
let cleanup: () => Promise<void>;
let compiler: Compiler;
let middleware: MemfsMiddleware;
let server: TestServer;
let corpus: string[];

beforeAll(async () => {
  ({ dir: root, cleanup } = await createTempDir('hmrkit-traversal-'));
  // root/secret.txt, root/a/secret.txt, root/a/b/secret.txt, root/etc/passwd … all outside
  // root/a/b/project/dist, the output folder.
  const project = join(root, 'a/b/project');
  for (const dir of ['', 'a', 'a/b', 'a/b/project']) {
    mkdirSync(join(root, dir, 'etc'), { recursive: true });
    writeFileSync(join(root, dir, 'secret.txt'), `${MARKER} ${dir}`);
    writeFileSync(join(root, dir, 'etc/passwd'), `${MARKER} passwd ${dir}`);
  }
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'src/index.js'), "console.log('inside');\n");
  compiler = createCompiler(baseConfig(project, { output: { publicPath: '/public/' } }));
  captureLogs(compiler);
  middleware = createMemfsMiddleware(compiler, { writeToDisk: true, stats: false });
  await middleware.ready();
  mkdirSync(join(project, 'dist/sub'), { recursive: true });
  writeFileSync(join(project, 'dist/inside.txt'), 'inside');
  server = await listen(withFallThrough(middleware));
  corpus = buildTraversalCorpus(root);
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) =>
    middleware ? middleware.close(() => resolve()) : resolve(),
  );
  await cleanup();
});

describe('path traversal corpus (writeToDisk: true, real files above the output folder)', () => {
  it('has at least 500 hostile URLs', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(500);
  });

  it('serves files inside the output folder from disk', async () => {
    expect((await get(server.port, '/public/inside.txt')).text).toBe('inside');
    expect((await get(server.port, '/public/bundle.js')).text).toContain('inside');
    expect(readFileSync(join(root, 'a/b/project/dist/bundle.js'), 'utf8')).toContain('inside');
  });

  it('never returns a file from outside the output folder, and never crashes', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < corpus.length; i += 50) {
      const batch = corpus.slice(i, i + 50);
      const replies = await Promise.all(
        batch.map(async (url) => {
          try {
            return { url, reply: await get(server.port, url) };
          } catch (error) {
            return { url, error };
          }
        }),
      );
      for (const result of replies) {
        if ('error' in result) throw new Error(`${result.url}: ${String(result.error)}`);
        const { reply, url } = result;
        expect(reply.text, url).not.toContain(MARKER);
        expect(reply.text, url).not.toMatch(/root:.*:0:0:/);
        expect([200, 400, 403, 418, 431], url).toContain(reply.status);
        if (reply.status === 200) expect(['inside'], url).toContain(reply.text);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      }
    }
    // The one-level escape webpack-dev-middleware's check misses is a 403 here.
    expect((await get(server.port, '/public/..%2fsecret.txt')).status).toBe(403);
    expect((await get(server.port, '/public/%2e%2e%2fsecret.txt')).status).toBe(403);
    expect((await get(server.port, '/public/../secret.txt')).status).toBe(403);
    expect((await get(server.port, '/public/..%2f../a/secret.txt')).status).toBe(403);
    expect((await get(server.port, '/public/inside.txt%00.js')).status).toBe(400);
    expect(statuses.get(403)).toBeGreaterThan(100);
    // Still serving after all that.
    expect((await get(server.port, '/public/inside.txt')).text).toBe('inside');
  });
});
