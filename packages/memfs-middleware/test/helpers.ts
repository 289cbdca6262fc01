import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTempDir } from '@hmrkit/test-utils';
import webpack, { type Compiler, type Configuration, type MultiCompiler } from 'webpack';

export interface Fixture {
  dir: string;
  cleanup: () => Promise<void>;
}

/** A tiny webpack project on disk: `src/index.js` (plus any extra files). */
export async function createFixture(files: Record<string, string> = {}): Promise<Fixture> {
  const { dir, cleanup } = await createTempDir('hmrkit-memfs-');
  const all = { 'src/index.js': "export const answer = 42;\nconsole.log('hello');\n", ...files };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return { dir, cleanup };
}

export function baseConfig(dir: string, overrides: Configuration = {}): Configuration {
  return {
    mode: 'development',
    context: dir,
    entry: './src/index.js',
    devtool: false,
    infrastructureLogging: { level: 'none' },
    stats: 'none',
    ...overrides,
    output: {
      path: join(dir, 'dist'),
      filename: 'bundle.js',
      publicPath: '/',
      ...overrides.output,
    },
  };
}

export interface LogEntry {
  type: string;
  text: string;
}

/** Collects the middleware's log lines from webpack's infrastructure logger. */
export function captureLogs(compiler: Compiler | MultiCompiler): LogEntry[] {
  const logs: LogEntry[] = [];
  const compilers = 'compilers' in compiler ? compiler.compilers : [compiler];
  for (const child of compilers) {
    child.hooks.infrastructureLog.tap('test', (origin, type, args) => {
      if (origin === 'hmrkit-memfs-middleware') {
        logs.push({ type, text: (args ?? []).map((a) => String(a)).join(' ') });
      }
      return true;
    });
  }
  return logs;
}

export function createCompiler(config: Configuration): Compiler {
  const compiler = webpack(config);
  if (!compiler) throw new Error('webpack() returned null');
  return compiler;
}

export interface TestServer {
  port: number;
  server: Server;
  close: () => Promise<void>;
}

export function listen(handler: RequestListener | Server): Promise<TestServer> {
  const server = typeof handler === 'function' ? createServer(handler) : handler;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Name/value pairs as received, repeats kept (`headers` folds them). */
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

/**
 * A raw HTTP request: the path goes on the wire exactly as given (fetch would normalize
 * `..` and percent-encoding, which the traversal tests must not).
 */
export function get(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A node:http listener that answers what the middleware lets through with 418. */
export function withFallThrough(
  middleware: (
    req: Parameters<RequestListener>[0],
    res: Parameters<RequestListener>[1],
    next: () => void,
  ) => unknown,
): RequestListener {
  return (req, res) => {
    void middleware(req, res, () => {
      res.statusCode = 418;
      res.end('next');
    });
  };
}

/** How often a header came on the wire (case-insensitive). */
export function countHeader(reply: Reply, name: string): number {
  return reply.rawHeaders.filter((item, i) => i % 2 === 0 && item.toLowerCase() === name).length;
}
