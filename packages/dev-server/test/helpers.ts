import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach } from 'vitest';
import webpack, { type Compiler, type Configuration, type MultiCompiler } from 'webpack';
import WebSocket from 'ws';
import { DevServer, type DevServerOptions } from '../src/index';

export interface Project {
  dir: string;
  write(name: string, content: string): void;
  cleanup(): Promise<void>;
}

/** A tiny webpack app on disk: `src/index.js` plus any extra files. */
export async function createProject(files: Record<string, string> = {}): Promise<Project> {
  const { dir, cleanup } = await createTempDir('hmrkit-dev-server-');
  const write = (name: string, content: string): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  };
  const all = { 'src/index.js': "document.title = 'v1';\n", ...files };
  for (const [name, content] of Object.entries(all)) write(name, content);
  return { dir, write, cleanup };
}

export function createCompiler(dir: string, overrides: Configuration = {}): Compiler {
  const compiler = webpack({
    mode: 'development',
    context: dir,
    entry: './src/index.js',
    devtool: false,
    infrastructureLogging: { level: 'none' },
    stats: 'none',
    // Edits in tests should rebuild at once.
    watchOptions: { aggregateTimeout: 10 },
    ...overrides,
    output: { path: join(dir, 'dist'), publicPath: '/', ...overrides.output },
  });
  if (!compiler) throw new Error('webpack() returned null');
  recordWatches(compiler);
  return compiler;
}

type WatchFileSystem = NonNullable<Compiler['watchFileSystem']>;
type Watcher = ReturnType<WatchFileSystem['watch']>;

interface WatchRecord {
  watcher: Watcher;
  /** What it watches for existence and time: the build's files and missing paths. */
  paths: string[];
  /** Whether it reported a change (a rebuild follows). */
  changed: boolean;
}

const lastWatches = new WeakMap<Compiler, WatchRecord>();

/** Keeps the watch webpack starts after each build, for `watcherSettled`. */
function recordWatches(compiler: Compiler): void {
  const fs = compiler.watchFileSystem;
  if (!fs) return;
  const watch = fs.watch.bind(fs);
  fs.watch = (files, directories, missing, startTime, options, callback, callbackUndelayed) => {
    const paths = [...files, ...missing];
    let record: WatchRecord | undefined;
    const watcher = watch(
      files,
      directories,
      missing,
      startTime,
      options,
      callback,
      (file, time) => {
        if (record) record.changed = true;
        callbackUndelayed?.(file, time);
      },
    );
    record = { watcher, paths, changed: false };
    lastWatches.set(compiler, record);
    return watcher;
  };
}

/**
 * Resolves once webpack's watcher for the last build has scanned every path it
 * watches without finding a change, so an edit from then on is one rebuild
 * with its own `invalid`. (Files written just before the first build can look
 * changed to its first scan, which then rebuilds once more: `invalid`,
 * `still-ok`. This waits for that rebuild too.) Needs a `createCompiler` one.
 */
export async function watcherSettled(compiler: Compiler | MultiCompiler): Promise<void> {
  if ('compilers' in compiler) throw new Error('watcherSettled takes a createCompiler compiler');
  await waitFor(
    () => {
      const record = lastWatches.get(compiler);
      const watching = compiler.watching;
      if (!record || !watching || watching.running || watching.watcher !== record.watcher) {
        return false;
      }
      if (record.changed) return false;
      const scanned = record.watcher.getInfo?.().fileTimeInfoEntries;
      return scanned !== undefined && record.paths.every((path) => scanned.has(path));
    },
    { timeoutMs: 20_000, message: "webpack's watcher to scan what the last build read" },
  );
}

/** A MultiCompiler of `createCompiler` configs (each child named by its index unless it has a name). */
export function createMultiCompiler(dir: string, configs: Configuration[]): MultiCompiler {
  const children = configs.map((overrides, index) => ({
    name: String(index),
    mode: 'development' as const,
    context: dir,
    entry: './src/index.js',
    devtool: false as const,
    infrastructureLogging: { level: 'none' as const },
    stats: 'none' as const,
    watchOptions: { aggregateTimeout: 10 },
    ...overrides,
    output: { path: join(dir, 'dist'), publicPath: '/', ...overrides.output },
  }));
  return webpack(children);
}

export interface FrameClient {
  frames: Array<{ type: string; data?: unknown; params?: unknown }>;
  socket: WebSocket;
  closed: Promise<void>;
  types(): string[];
  waitForType(type: string, count?: number): Promise<void>;
  close(): void;
}

/** A raw ws client that records every frame (as the browser client would get them). */
export function connectFrames(
  url: string,
  headers: Record<string, string> = {},
): Promise<FrameClient> {
  const origin = new URL(url.replace(/^ws/, 'http')).origin;
  const socket = new WebSocket(url, { headers: { origin, ...headers } });
  const frames: FrameClient['frames'] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const client: FrameClient = {
    frames,
    socket,
    closed,
    types: () => frames.map((frame) => frame.type),
    waitForType: async (type, count = 1) => {
      await waitFor(() => frames.filter((frame) => frame.type === type).length >= count, {
        timeoutMs: 20_000,
        message: `${count} "${type}" frame(s); got ${frames.map((f) => f.type).join(',')}`,
      });
    },
    close: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes as they came (still compressed when Content-Encoding says so). */
  raw: Buffer;
}

/** A plain HTTP request with full control over headers (fetch forbids Host). */
export async function request(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpResult> {
  const { request: httpRequest } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { host: `localhost:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: raw.toString('utf8'),
            raw,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A stand-in editor for launch-editor (`LAUNCH_EDITOR`): a script that writes
 * the arguments it was started with to `opened.txt`, whose path it returns.
 * The caller restores `process.env.LAUNCH_EDITOR`.
 */
export function installFakeEditor(project: Project): string {
  const opened = join(project.dir, 'opened.txt');
  // Written whole, then renamed into place: `opened.txt` never exists half-written (a shell
  // `>>` creates it before printf writes, and a test that saw it could read it empty).
  project.write(
    'editor.sh',
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${opened}.part" && mv "${opened}.part" "${opened}"\n`,
  );
  chmodSync(join(project.dir, 'editor.sh'), 0o755);
  process.env.LAUNCH_EDITOR = join(project.dir, 'editor.sh');
  return opened;
}

/** Stops a server (safe twice) or removes a project's folder. */
const closeOne = async (value: DevServer | Project | undefined): Promise<void> => {
  if (value instanceof DevServer) await value.stop();
  else await value?.cleanup();
};

export interface DevServers {
  /**
   * A project with `files` (and `src/index.js`), a DevServer on it (127.0.0.1, a free
   * port, `static: false`, no exit signals, then `options`, which may be computed from
   * the project's folder), started, its first build done and webpack's watcher settled.
   */
  start(
    options?: DevServerOptions | ((dir: string) => DevServerOptions),
    files?: Record<string, string>,
    config?: Configuration,
  ): Promise<{ port: number; project: Project; server: DevServer }>;
  /** A frame client on `url`, closed after the test. */
  frames(url: string, headers?: Record<string, string>): Promise<FrameClient>;
  /** Stops a server / removes a project made without `start`, after the test. */
  track<T extends DevServer | Project>(value: T): T;
  /** Runs `close` after the test, before the servers and projects it came after. */
  defer(close: () => unknown): void;
}

/**
 * The servers, projects and clients of a test file's tests: each closed after its test,
 * the last made first (clients, then servers, then project folders). `current` names
 * those a file keeps in its own variables; they are closed after the tracked ones.
 */
export function useDevServers(
  current: () => ReadonlyArray<DevServer | Project | undefined> = () => [],
): DevServers {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const value of current()) await closeOne(value);
  });
  const defer = (close: () => unknown): void => {
    closers.push(close);
  };
  const track = <T extends DevServer | Project>(value: T): T => {
    defer(() => closeOne(value));
    return value;
  };
  return {
    defer,
    track,
    async start(options = {}, files = {}, config = {}) {
      const project = track(await createProject(files));
      const server = track(
        new DevServer(
          {
            host: '127.0.0.1',
            port: await getFreePort(),
            static: false,
            setupExitSignals: false,
            ...(typeof options === 'function' ? options(project.dir) : options),
          },
          createCompiler(project.dir, config),
        ),
      );
      await server.start();
      await server.middleware?.ready();
      await watcherSettled(server.compiler);
      return { port: server.options.port as number, project, server };
    },
    async frames(url, headers) {
      const client = await connectFrames(url, headers);
      defer(() => client.close());
      return client;
    },
  };
}
