import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '@hmrkit/test-utils';
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

const MARKER = 'TOP-SECRET-OUTSIDE-THE-OUTPUT';

/** `..` spelled every way we know of (all ASCII on the wire; the client refuses raw UTF-8). */
const DOTDOTS = [
  '..',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%2E.',
  '%252e%252e',
  '%25%32%65%25%32%65',
  '%c0%ae%c0%ae',
  '%e0%80%ae%e0%80%ae',
  '%c0%2e%c0%2e',
  '%ef%bc%8e%ef%bc%8e',
  '%u002e%u002e',
];
const SEPARATORS = [
  '/',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '\\',
  '%252f',
  '%c0%af',
  '%e0%80%af',
  '//',
  '/./',
  '%2f%2e%2f',
];
const DEPTHS = [1, 2, 3, 5];
const PREFIXES = ['/public/', '/'];
const TARGETS = ['secret.txt', 'etc/passwd'];

function buildCorpus(root: string): string[] {
  const urls = new Set<string>();
  for (const prefix of PREFIXES) {
    for (const dotdot of DOTDOTS) {
      for (const separator of SEPARATORS) {
        for (const depth of DEPTHS) {
          for (const target of TARGETS) {
            urls.add(prefix + `${dotdot}${separator}`.repeat(depth) + target);
          }
        }
      }
    }
  }
  const extra = [
    // absolute paths and authority tricks
    '/etc/passwd',
    '//etc/passwd',
    '///etc/passwd',
    '/public//etc/passwd',
    '/public///etc/passwd',
    `/public/${root}/secret.txt`,
    `/${root}/secret.txt`,
    `/public/${encodeURIComponent(`${root}/secret.txt`)}`,
    `/public/%2f${root.slice(1)}/secret.txt`,
    `http://127.0.0.1/public/../../secret.txt`,
    `http://127.0.0.1/public/..%2f..%2fsecret.txt`,
    'file:///etc/passwd',
    '/public/file:///etc/passwd',
    '/public/C:%5cWindows%5cwin.ini',
    '/public/..;/secret.txt',
    '/public/.../secret.txt',
    '/public/..../secret.txt',
    '/public/. ./secret.txt'.replace(' ', '%20'),
    // null bytes
    '/public/inside.txt%00',
    '/public/inside.txt%00.js',
    '/public/%00../secret.txt',
    '/public/..%00/secret.txt',
    '/public/%2500',
    '/%00',
    // very long paths
    `/public/${'a/'.repeat(3000)}${'../'.repeat(3001)}secret.txt`,
    `/public/${'..%2f'.repeat(1500)}secret.txt`,
    `/public/${'x'.repeat(10000)}`,
    `/public/${'%2e%2e%2f'.repeat(900)}etc/passwd`,
    // invalid percent-encoding
    '/public/%',
    '/public/%%',
    '/public/%zz../secret.txt',
    '/public/%2e%2',
    '/public/..%',
    '/public/%ff%fe/../secret.txt',
    '/public/%c0',
    '/public/%e0%80',
    '/public/%2e%2e%2fsecret.txt%',
    // mixed
    '/public/.%2e/%2e./secret.txt',
    '/public/..%2f..%5c..\\secret.txt',
    '/public/%2e%2e/./%2e%2e/secret.txt',
    '/public/inside.txt/../../secret.txt',
    '/public/sub/../../secret.txt',
    '/public/sub/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/public/sub/..%2F..%2F..%2Fsecret.txt',
    '/public/./../secret.txt',
    '/public/..?/secret.txt',
    '/public/..#/secret.txt',
    '/public/..%3f/secret.txt',
    '/public/..%23/../secret.txt',
  ];
  for (const url of extra) urls.add(url);
  return [...urls];
}

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
  corpus = buildCorpus(root);
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
