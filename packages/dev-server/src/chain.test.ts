import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { composeMiddlewares, type NamedMiddleware } from './chain';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(middlewares: NamedMiddleware[]): Promise<string> {
  const handler = composeMiddlewares(middlewares, (_req, res, error) => {
    res.statusCode = error ? 500 : 404;
    res.end(error ? `error: ${(error as Error).message}` : 'not found');
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('composeMiddlewares', () => {
  it('runs in order, mounts paths with the prefix stripped, and falls through to the end', async () => {
    const seen: string[] = [];
    const base = await serve([
      {
        name: 'log',
        middleware: (req, _res, next) => {
          seen.push(`log ${req.url}`);
          next();
        },
      },
      {
        name: 'static',
        path: '/static',
        middleware: (req, res, next) => (req.url === '/a.js' ? res.end('static a') : next()),
      },
      {
        name: 'tail',
        middleware: (req, res, next) => (req.url === '/tail' ? res.end('tail') : next()),
      },
    ]);
    expect(await (await fetch(`${base}/static/a.js`)).text()).toBe('static a');
    expect(await (await fetch(`${base}/tail`)).text()).toBe('tail');
    expect(await (await fetch(`${base}/staticky/a.js`)).status).toBe(404);
    const miss = await fetch(`${base}/static/b.js`);
    expect([miss.status, await miss.text()]).toEqual([404, 'not found']);
    expect(seen).toEqual([
      'log /static/a.js',
      'log /tail',
      'log /staticky/a.js',
      'log /static/b.js',
    ]);
  });

  it('turns a throw, a rejection or next(error) into the final handler, not a crash', async () => {
    const base = await serve([
      {
        middleware: (req, _res, next) => {
          if (req.url === '/throw') throw new Error('thrown');
          next();
        },
      },
      {
        middleware: async (req, _res, next) => {
          if (req.url === '/reject') throw new Error('rejected');
          next();
        },
      },
      { middleware: (_req, _res, next) => next(new Error('passed')) },
    ]);
    for (const [path, text] of [
      ['/throw', 'error: thrown'],
      ['/reject', 'error: rejected'],
      ['/other', 'error: passed'],
    ]) {
      const response = await fetch(`${base}${path}`);
      expect([response.status, await response.text()]).toEqual([500, text]);
    }
  });

  it('ignores a second next() from the same middleware', async () => {
    let tailCalls = 0;
    const base = await serve([
      {
        middleware: (_req, _res, next) => {
          next();
          next();
        },
      },
      {
        middleware: (_req, res) => {
          tailCalls++;
          res.end('once');
        },
      },
    ]);
    expect(await (await fetch(base)).text()).toBe('once');
    expect(tailCalls).toBe(1);
  });
});
