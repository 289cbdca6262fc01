import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project, request } from './helpers';

// Crash cases run in a spawned server process (the built package, as a user's process runs
// it), so a crash shows as an exit, not as a failed test runner. As root, the server runs as
// `nobody`, so a file only root may read is unreadable to it.
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

let project: Project | undefined;
let child: ChildProcess | undefined;
const sockets: Socket[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await project?.cleanup();
  project = undefined;
});

interface ChildServer {
  port: number;
  output(): string;
  exitCode(): number | null;
  /** Asks the child over IPC; it answers with one message. */
  ask<T>(question: 'memory' | 'streams'): Promise<T>;
}

interface StreamState {
  bytesRead: number;
  paused: boolean;
  done: boolean;
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * The app of the report: `static: { directory: './public' }`, `historyApiFallback: true`.
 * The child counts the file streams it opens on `big.txt` (to know when they settle) and
 * answers memory questions after a full GC.
 */
async function startChild(options: Record<string, unknown> = {}): Promise<ChildServer> {
  const dir = project?.dir as string;
  const port = await getFreePort();
  const script = `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    const streams = [];
    const createReadStream = fs.createReadStream;
    fs.createReadStream = function (path, ...rest) {
      const stream = createReadStream.call(this, path, ...rest);
      if (String(path).endsWith('big.txt')) streams.push(stream);
      return stream;
    };
    syncBuiltinESMExports();
    const { default: webpack } = await import('webpack');
    const { DevServer } = await import(${JSON.stringify(DIST)});
    const compiler = webpack({ mode: 'development', context: ${JSON.stringify(dir)},
      entry: './src/index.js', devtool: false, stats: 'none',
      output: { path: ${JSON.stringify(join(dir, 'dist'))} },
      infrastructureLogging: { level: 'warn', colors: false } });
    const server = new DevServer({ host: '127.0.0.1', port: ${port},
      static: { directory: ${JSON.stringify(join(dir, 'public'))} }, historyApiFallback: true,
      ...${JSON.stringify(options)} }, compiler);
    process.on('message', (question) => {
      if (question === 'memory') {
        globalThis.gc();
        process.send(process.memoryUsage());
      } else {
        process.send(streams.map((s) => ({ bytesRead: s.bytesRead, paused: s.isPaused(),
          done: s.readableEnded || s.destroyed })));
      }
    });
    await server.start();
    // The bundle's streams too (memfs-middleware streams files over 8 MB from memory).
    const memfs = server.middleware.context.outputFileSystem;
    const memfsStream = memfs.createReadStream;
    memfs.createReadStream = function (path, ...rest) {
      const stream = memfsStream.call(this, path, ...rest);
      if (String(path).endsWith('main.js')) streams.push(stream);
      return stream;
    };
    await server.middleware.ready();
    console.log('READY');
  `;
  let output = '';
  const spawned = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  child = spawned;
  spawned.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  spawned.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  await waitFor(() => output.includes('READY') || spawned.exitCode !== null, {
    timeoutMs: 30_000,
    message: 'the dev server to start',
  });
  if (!output.includes('READY')) throw new Error(`the server did not start:\n${output}`);
  return {
    port,
    output: () => output,
    exitCode: () => spawned.exitCode,
    ask: <T>(question: 'memory' | 'streams') =>
      new Promise<T>((resolve) => {
        spawned.once('message', (answer) => resolve(answer as T));
        spawned.send(question);
      }),
  };
}

/** The project, readable by the server's user. */
async function createPublicProject(files: Record<string, string>): Promise<Project> {
  project = await createProject({ 'public/hello.txt': 'hello', ...files });
  execFileSync('chmod', ['-R', 'a+rX', project.dir]);
  return project;
}

/**
 * One request on its own connection: the status; `truncated` or `reset` when the server
 * cut the connection because the file changed while it was sent; 0 when the connection
 * failed otherwise (refused: the server died).
 */
function raceRequest(port: number, path: string): Promise<number | 'truncated' | 'reset'> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.on('error', () => {});
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('close', () => resolve(res.complete ? (res.statusCode ?? 0) : 'truncated'));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNRESET' ? 'reset' : 0),
    );
  });
}

/** The status, or 0 when the connection failed (the server died). */
async function statusOf(port: number, path: string): Promise<number> {
  return request(port, path).then(
    (reply) => reply.status,
    () => 0,
  );
}

describe('static folders: read errors never end the process', () => {
  it('answers an unreadable file, a unix socket and a FIFO with a status and a log line, and keeps serving', async () => {
    const p = await createPublicProject({ 'public/secret-600.txt': 'SECRET' });
    // Only its owner may read it: root's file for the `nobody` server, mode 000 otherwise.
    chmodSync(join(p.dir, 'public/secret-600.txt'), isRoot ? 0o600 : 0o000);
    const socketServer = createServer();
    servers.push(socketServer);
    await new Promise<void>((resolve) =>
      socketServer.listen(join(p.dir, 'public/socket.sock'), resolve),
    );
    execFileSync('mkfifo', [join(p.dir, 'public/fifo.txt')]);
    const server = await startChild();

    const unreadable = await request(server.port, '/secret-600.txt').catch(() => undefined);
    await waitFor(() => unreadable !== undefined || server.exitCode() !== null);
    expect(server.exitCode(), server.output()).toBeNull();
    expect([403, 404, 500]).toContain(unreadable?.status);
    expect(unreadable?.body).not.toContain('SECRET');
    expect([403, 404, 500]).toContain(await statusOf(server.port, '/socket.sock'));
    expect(server.exitCode()).toBeNull();
    expect([403, 404, 500]).toContain(await statusOf(server.port, '/fifo.txt'));
    expect(server.exitCode()).toBeNull();
    expect((await request(server.port, '/hello.txt')).body).toBe('hello');
    await waitFor(
      () => server.output().includes('secret-600.txt') && server.output().includes('socket.sock'),
      { timeoutMs: 5_000, message: 'a log line for each unreadable file' },
    );
    expect(server.output()).toMatch(/EACCES/);
  });

  it('survives a file unlinked between the check and the open (1000 requests racing an unlink loop)', async () => {
    const p = await createPublicProject({});
    const server = await startChild();
    const race = join(p.dir, 'public/race.txt');
    let racing = true;
    const toggler = (async () => {
      while (racing) {
        writeFileSync(race, 'race');
        await new Promise((resolve) => setImmediate(resolve));
        try {
          unlinkSync(race);
        } catch {
          // already gone
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // (The toggler stops before afterEach removes the folder, even when a request fails.)
    const statuses = new Map<number | 'truncated' | 'reset', number>();
    try {
      for (let i = 0; i < 1000; i += 20) {
        const batch = await Promise.all(
          Array.from({ length: 20 }, () => raceRequest(server.port, '/race.txt')),
        );
        for (const status of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    } finally {
      racing = false;
      await toggler;
    }
    const logged = server
      .output()
      .split('\n')
      .filter((line) => line.includes('race.txt')).length;
    console.log(`unlink race: statuses ${JSON.stringify([...statuses])}, ${logged} log lines`);
    expect(server.exitCode(), server.output()).toBeNull();
    for (const status of statuses.keys())
      expect([200, 404, 500, 'truncated', 'reset']).toContain(status);
    expect((await request(server.port, '/hello.txt')).body).toBe('hello');
  }, 120_000);
});

/** Stalled readers of `path` (each asks, then never reads): what the server holds for them. */
async function measureStalledReaders(
  server: ChildServer,
  path: string,
  readers: number,
  size: number,
): Promise<{ read: number; grown: number; streams: StreamState[] }> {
  const before = await server.ask<Memory>('memory');
  for (let i = 0; i < readers; i++) {
    const socket = connect(server.port, '127.0.0.1');
    sockets.push(socket);
    socket.pause();
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: localhost:${server.port}\r\nAccept-Encoding: ${i % 2 ? 'br' : 'gzip'}\r\n\r\n`,
    );
  }
  // Each file stream ends up paused by backpressure, or read to its end into memory.
  await waitFor(
    async () => {
      const streams = await server.ask<StreamState[]>('streams');
      return streams.length === readers && streams.every((s) => s.paused || s.done);
    },
    { timeoutMs: 60_000, intervalMs: 100, message: 'the file streams to settle' },
  );
  const streams = await server.ask<StreamState[]>('streams');
  const after = await server.ask<Memory>('memory');
  const grown = after.external + after.heapUsed - (before.external + before.heapUsed);
  const read = streams.reduce((sum, s) => sum + s.bytesRead, 0);
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  console.log(
    `backpressure ${path}: ${readers} stalled readers, read ${mb(read)} MB of ${mb(size * readers)} MB, memory grew ${mb(grown)} MB (external ${mb(before.external)} → ${mb(after.external)} MB, rss ${mb(before.rss)} → ${mb(after.rss)} MB)`,
  );
  for (const socket of sockets.splice(0)) socket.destroy();
  return { read, grown, streams };
}

describe('compression honours backpressure', () => {
  it('5 stalled gzip/br readers of a 40 MB static file hold only stream buffers', async () => {
    // Compressible but not trivially so (base64 of random bytes compresses ~25%).
    const big = randomBytes(30 * 1024 * 1024).toString('base64');
    await createPublicProject({ 'public/big.txt': big });
    const server = await startChild({ compress: true });
    const { read, grown, streams } = await measureStalledReaders(server, '/big.txt', 5, big.length);
    expect(streams.every((s) => !s.done)).toBe(true);
    expect(read).toBeLessThan(5 * 8 * 2 ** 20);
    expect(grown).toBeLessThan(5 * 8 * 2 ** 20);
    expect((await request(server.port, '/hello.txt')).body).toBe('hello');
    expect(server.exitCode()).toBeNull();
  }, 120_000);

  it('10 stalled gzip/br readers of a 12 MB bundle (streamed from memory) hold only stream buffers', async () => {
    const payload = randomBytes(9 * 1024 * 1024).toString('base64');
    await createPublicProject({ 'src/index.js': `export default ${JSON.stringify(payload)};\n` });
    const server = await startChild({ compress: true });
    const size = Number(
      (await request(server.port, '/main.js', {}, 'HEAD')).headers['content-length'],
    );
    expect(size).toBeGreaterThan(12 * 2 ** 20);
    const { read, grown, streams } = await measureStalledReaders(server, '/main.js', 10, size);
    expect(streams.every((s) => !s.done)).toBe(true);
    expect(read).toBeLessThan(10 * 4 * 2 ** 20);
    expect(grown).toBeLessThan(10 * 4 * 2 ** 20);
    expect((await request(server.port, '/hello.txt')).body).toBe('hello');
    expect(server.exitCode()).toBeNull();
  }, 120_000);
});
