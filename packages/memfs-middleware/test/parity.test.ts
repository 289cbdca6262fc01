import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wdm from 'webpack-dev-middleware';
import { createMemfsMiddleware, type MemfsMiddlewareOptions } from '../src/index';
import {
  baseConfig,
  createCompiler,
  createFixture,
  type Fixture,
  get,
  listen,
  type TestServer,
} from './helpers';

/**
 * The cases of issue 16 that say "webpack-dev-middleware answers X", asked of the real
 * webpack-dev-middleware 7.4.6 and of this package, each under express 4 on its own compiler.
 */

interface Side {
  port: number;
  close: () => Promise<void>;
}

const fixtures: Fixture[] = [];
const sides: Side[] = [];

afterAll(async () => {
  for (const side of sides) await side.close();
  for (const fixture of fixtures) await fixture.cleanup();
});

type Factory = 'wdm' | 'ours';

async function start(factory: Factory, options: MemfsMiddlewareOptions): Promise<Side> {
  const fixture = await createFixture();
  fixtures.push(fixture);
  const compiler = createCompiler(baseConfig(fixture.dir));
  const app = express();
  let close: () => Promise<void>;
  let outputFs: {
    mkdirSync(path: string, options: { recursive: boolean }): unknown;
    writeFileSync(path: string, data: string): unknown;
  };
  if (factory === 'wdm') {
    const instance = wdm(compiler, options as Parameters<typeof wdm>[1]);
    await new Promise((resolve) => instance.waitUntilValid(resolve));
    outputFs = instance.context.outputFileSystem as never;
    app.use(instance);
    close = () => new Promise<void>((resolve) => instance.close(() => resolve()));
  } else {
    const instance = createMemfsMiddleware(compiler, options);
    await instance.ready();
    outputFs = instance.context.outputFileSystem as never;
    app.use(instance);
    close = () => new Promise<void>((resolve) => instance.close(() => resolve()));
  }
  const dist = join(fixture.dir, 'dist');
  outputFs.mkdirSync(join(dist, '%foo%'), { recursive: true });
  outputFs.writeFileSync(join(dist, '%foo%', '%foo%.js'), 'percent();\n');
  outputFs.writeFileSync(join(dist, 'page.phtml'), '<p>php-ish</p>\n');
  const server: TestServer = await listen(app.listen(0, '127.0.0.1'));
  const side = {
    port: server.port,
    close: async () => {
      await server.close();
      await close();
    },
  };
  sides.push(side);
  return side;
}

describe.each([
  ['/%foo%/%foo%.js', {}],
  ['/bundle.js', { publicPath: 'https://test:malfor%5Med@test.example.com' }],
  ['/page.phtml', { mimeTypes: { phtml: ['text/html'] } }],
] as Array<[string, MemfsMiddlewareOptions]>)('GET %s with %j', (path, options) => {
  const replies: Partial<Record<Factory, Awaited<ReturnType<typeof get>>>> = {};

  beforeAll(async () => {
    for (const factory of ['wdm', 'ours'] as const) {
      const side = await start(factory, { stats: false, ...options });
      replies[factory] = await get(side.port, path);
    }
  }, 60_000);

  it('gets the status, media type and body webpack-dev-middleware 7.4.6 gives', () => {
    const { wdm: theirs, ours } = replies;
    expect(ours?.status).toBe(theirs?.status);
    // wdm sets an array value as the header itself (no charset, one line per item); ours
    // runs the first type through mime-types like a string value, so a charset may follow.
    const mediaType = (value: unknown) => String(value).split(';')[0];
    expect(mediaType(ours?.headers['content-type'])).toBe(
      mediaType(theirs?.headers['content-type']),
    );
    if (theirs?.status === 200) expect(ours?.text).toBe(theirs.text);
  });
});
