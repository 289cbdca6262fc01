// The e2e harness: a throwaway copy of the demo, `hmrkit serve` started the
// way a user starts it (the CLI's built bin, as a child process), headless
// Chromium through playwright-core, and raw socket/HTTP probes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  getFreePort,
  spawnTracked,
  waitFor,
} from '@hmrkit/test-utils';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';

export const DEMO_DIR: string = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR: string = resolve(DEMO_DIR, '..', '..');
export const RESULTS_DIR: string = join(DEMO_DIR, 'test-results');
const CHROMIUM = CHROMIUM_PATH;

export type Transport = 'ws' | 'sockjs';

// ---------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------

/** The `hmrkit` bin of @hmrkit/cli, as the demo's node_modules links it. */
export function findCliBin(): string {
  const pkgDir = join(DEMO_DIR, 'node_modules', '@hmrkit', 'cli');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.hmrkit;
  if (!bin) throw new Error('@hmrkit/cli has no "hmrkit" bin in its package.json');
  return join(pkgDir, bin);
}

/**
 * The e2e tests run the CLI as published: from its dist and its dependencies'
 * dist. Build them once if a fresh checkout has none (turbo builds only the
 * demo's workspace dependencies); otherwise use what is there, so `pnpm build`
 * after changing a package is the way to test the change.
 */
export function ensureCliBuilt(): string {
  const packages = [
    'cli',
    'dev-server',
    'memfs-middleware',
    'socket-server',
    'client',
    'runtime',
    'hot-emitter',
    'protocol',
  ];
  const missing = packages.some(
    (dir) => !existsSync(join(REPO_DIR, 'packages', dir, 'dist', 'index.js')),
  );
  if (missing) {
    execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@hmrkit/demo^...'], {
      cwd: REPO_DIR,
      stdio: 'ignore',
      timeout: 300_000,
    });
  }
  const bin = findCliBin();
  if (!existsSync(bin)) throw new Error(`The hmrkit bin is missing: ${bin}`);
  return bin;
}

// ---------------------------------------------------------------------------
// A copy of the app that the tests may edit
// ---------------------------------------------------------------------------

export interface AppCopy {
  readonly dir: string;
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
  /** Rewrites `file` (relative to the copy) through `change`; throws if nothing changed. */
  edit(file: string, change: (source: string) => string): Promise<void>;
  /** Puts every edited file back as it was; returns the files it rewrote. */
  restore(): Promise<string[]>;
  remove(): Promise<void>;
}

/**
 * Copies src/ and webpack.config.js of an app (the demo unless `appDir` says
 * otherwise) to <copiesDir>/<random>/, by default <app>/.e2e/: inside the app,
 * so Node and webpack find its node_modules (loaders, the config's imports) by
 * walking up, and ts-loader finds the demo's tsconfig.json.
 */
export async function createAppCopy(
  appDir: string = DEMO_DIR,
  copiesDir: string = join(appDir, '.e2e'),
): Promise<AppCopy> {
  const dir = join(copiesDir, randomBytes(6).toString('hex'));
  await mkdir(dir, { recursive: true });
  await cp(join(appDir, 'src'), join(dir, 'src'), { recursive: true });
  await cp(join(appDir, 'webpack.config.js'), join(dir, 'webpack.config.js'));
  const originals = new Map<string, string>();
  const read = (file: string): Promise<string> => readFile(join(dir, file), 'utf8');
  const write = async (file: string, text: string): Promise<void> => {
    if (!originals.has(file)) originals.set(file, await read(file));
    await writeFile(join(dir, file), text);
  };
  return {
    dir,
    read,
    write,
    async edit(file, change) {
      const before = await read(file);
      const after = change(before);
      if (after === before) throw new Error(`The edit of ${file} changed nothing`);
      await write(file, after);
    },
    async restore() {
      const rewritten: string[] = [];
      for (const [file, text] of originals) {
        if ((await read(file)) !== text) {
          await writeFile(join(dir, file), text);
          rewritten.push(file);
        }
      }
      return rewritten;
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
      // Leave .e2e/ itself only if another run still has a copy in it.
      await rmdir(copiesDir).catch(() => {});
    },
  };
}

// ---------------------------------------------------------------------------
// `hmrkit serve` as a child process
// ---------------------------------------------------------------------------

export interface DemoServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** False once the process has exited. */
  isRunning(): boolean;
  /** Everything the process printed (stdout and stderr), colours off. */
  output(): string;
  /** How many builds the CLI reported as done (`compiled` lines, successful or not). */
  builds(): number;
  /** Resolves after the CLI reports a build later than `after` (a `builds()` value). */
  waitForBuild(after: number, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the process to exit; SIGKILLs its group after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The child leads its own process group (detached): this reaches anything it spawned.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

// A crashed or interrupted test run must not leave servers behind.
process.once('exit', () => {
  for (const child of running) killGroup(child);
});

/** Every server this process started and that is still running: killed (SIGKILL). */
export async function killAllServers(): Promise<void> {
  const exits = [...running].map(
    (child) =>
      new Promise<void>((done) =>
        child.exitCode !== null ? done() : child.once('exit', () => done()),
      ),
  );
  for (const child of running) killGroup(child);
  await Promise.all(exits);
}

// The CLI's line per finished build: `✓ compiled in 18 ms`, `✗ compiled with 2 errors in 30 ms`.
const BUILD_LINE = /\bcompiled\b[^\n]*\bin \d+ ms/g;

export interface StartServerOptions {
  bin: string;
  appDir: string;
  port: number;
  transport: Transport;
  /** How long to wait for the first build to be served. @default 60000 */
  timeoutMs?: number;
  /** Environment changes for the child (`undefined` removes a variable, e.g. vitest's NODE_ENV). */
  env?: Record<string, string | undefined>;
}

/** Starts `hmrkit serve` in `appDir` and resolves once it serves the built page. */
export async function startDemoServer(options: StartServerOptions): Promise<DemoServer> {
  const { bin, appDir, port, transport } = options;
  const child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--config',
      'webpack.config.js',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--web-socket-server',
      transport,
    ],
    {
      cwd: appDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    },
  );
  running.add(child);
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      running.delete(child);
      done(code);
    });
  });
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  const url = `http://127.0.0.1:${port}/`;
  const builds = (): number => output.match(BUILD_LINE)?.length ?? 0;
  const server: DemoServer = {
    port,
    url,
    pid: child.pid ?? -1,
    isRunning: () => exitCode === undefined,
    output: () => output,
    builds,
    async waitForBuild(after, timeoutMs = 30_000) {
      await waitFor(() => builds() > after || exitCode !== undefined, {
        timeoutMs,
        message: `build #${after + 1} (output so far:\n${output})`,
      });
      if (exitCode !== undefined) throw new Error(`hmrkit serve exited (${exitCode}):\n${output}`);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => killGroup(child), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };

  try {
    await waitFor(
      async () => {
        if (exitCode !== undefined)
          throw new Error(`hmrkit serve exited (${exitCode}):\n${output}`);
        // As a browser asks for a page (the first-build page answers only those).
        const response = await httpRequest(port, '/', { Accept: 'text/html' }).catch(
          () => undefined,
        );
        return response?.status === 200 && response.body.includes('<script');
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 100,
        message: `${url} to serve the app`,
      },
    );
  } catch (error) {
    await server.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- hmrkit serve output ---\n${output}`);
  }
  return server;
}

// ---------------------------------------------------------------------------
// HTTP and socket probes
// ---------------------------------------------------------------------------

export interface HttpResult {
  status: number;
  body: string;
}

/** A GET with the headers given (fetch would not let us set Host). */
export function httpRequest(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', fail);
    req.end();
  });
}

export interface SocketProbe {
  /** The dev-server messages received, decoded from sockjs framing where needed. */
  messages: string[];
  /** Raw frames as they came off the wire. */
  frames: string[];
  /** Whether the server closed the socket before the probe gave up. */
  closed: boolean;
}

/** Decodes the messages in a sockjs frame (`a["…","…"]`); other frames (o, h, c) have none. */
export function sockjsMessages(frame: string): string[] {
  return frame.startsWith('a[') ? (JSON.parse(frame.slice(1)) as string[]) : [];
}

/**
 * Opens a WebSocket to the dev server with the Origin given and records what
 * arrives until the server closes it, `until` matches a message, or
 * `timeoutMs` passes. `path` picks the endpoint: `/ws` (ws), sockjs's raw
 * `/ws/websocket` or its framed `/ws/<server>/<session>/websocket`.
 */
export function probeSocket(options: {
  port: number;
  path: string;
  origin: string;
  framed?: boolean;
  until?: (message: string) => boolean;
  timeoutMs?: number;
}): Promise<SocketProbe> {
  const { port, path, origin, framed = false, until, timeoutMs = 5000 } = options;
  return new Promise((done) => {
    const probe: SocketProbe = { messages: [], frames: [], closed: false };
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { origin });
    const finish = (): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      done(probe);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('message', (data) => {
      const frame = data.toString();
      probe.frames.push(frame);
      const messages = framed ? sockjsMessages(frame) : [frame];
      probe.messages.push(...messages);
      if (until && messages.some(until)) finish();
    });
    socket.on('close', () => {
      probe.closed = true;
      finish();
    });
    socket.on('error', () => {
      // An HTTP-level refusal (no upgrade) also ends the probe; `closed` stays false.
      finish();
    });
  });
}

/** The `type` of a dev-server message, or undefined if it is not JSON. */
export function messageType(message: string): string | undefined {
  try {
    return (JSON.parse(message) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Chromium
// ---------------------------------------------------------------------------

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'hmrkit-demo-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 900, height: 640 },
    args: [...CHROMIUM_ARGS],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

export interface DemoPage {
  readonly page: Page;
  /** Console errors and uncaught page errors, in order. */
  readonly errors: string[];
  /** Every console line, for diagnostics and for the client's log lines. */
  readonly console: string[];
  /** Dev-server messages the page's sockets received (sockjs framing removed), in order. */
  readonly messages: string[];
  /** How many times the main frame finished loading a document. */
  loads(): number;
  /**
   * Resolves once the page's socket receives a build result (`ok`, `still-ok`,
   * `warnings` or `errors`) after `after` messages: the client is connected and
   * has the current hash, so the next edit reaches it as an update.
   */
  waitForConnection(after?: number, timeoutMs?: number): Promise<void>;
  /** `window.__demoBootId`: set once per page load by index.ts, kept across hot updates. */
  bootId(): Promise<number | null>;
  text(selector: string): Promise<string | null>;
  /** The text of the client's error overlay (in its shadow root), or null when none is shown. */
  overlayText(): Promise<string | null>;
  /** Polls until the overlay shows text containing `fragment`; resolves with the whole text. */
  waitForOverlay(fragment: string, timeoutMs?: number): Promise<string>;
  /** Polls until `selector`'s text is `expected`. */
  waitForText(selector: string, expected: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const OVERLAY_TAG = 'hmrkit-overlay';

export async function openDemoPage(browser: Browser, url: string): Promise<DemoPage> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const lines: string[] = [];
  const messages: string[] = [];
  let loads = 0;
  page.on('websocket', (socket) => {
    // sockjs-client's websocket transport: <prefix>/<server>/<session>/websocket.
    const sockjs = /\/[^/]+\/[^/]+\/websocket$/.test(new URL(socket.url()).pathname);
    socket.on('framereceived', ({ payload }) => {
      const frame = typeof payload === 'string' ? payload : payload.toString('utf8');
      messages.push(...(sockjs ? sockjsMessages(frame) : [frame]));
    });
  });
  page.on('console', (message) => {
    lines.push(`${message.type()}: ${message.text()}`);
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('load', () => {
    loads += 1;
  });
  const overlayText = (): Promise<string | null> =>
    page
      .evaluate((tag) => document.querySelector(tag)?.shadowRoot?.textContent ?? null, OVERLAY_TAG)
      .catch(() => null);
  const text = (selector: string): Promise<string | null> =>
    page
      .locator(selector)
      .textContent({ timeout: 1000 })
      // A reload in progress: nothing to read yet.
      .catch(() => null);
  await page.goto(url);
  return {
    page,
    errors,
    console: lines,
    messages,
    loads: () => loads,
    async waitForConnection(after = 0, timeoutMs = 20_000) {
      const results = new Set(['ok', 'still-ok', 'warnings', 'errors']);
      await waitFor(() => messages.slice(after).some((m) => results.has(messageType(m) ?? '')), {
        timeoutMs,
        message: `a build result on the page's socket (got ${messages.length})`,
      });
    },
    bootId: () =>
      page
        .evaluate(() => (window as { __demoBootId?: number }).__demoBootId ?? null)
        .catch(() => null),
    text,
    overlayText,
    waitForOverlay: (fragment, timeoutMs = 20_000) =>
      waitFor(
        async () => {
          const shown = await overlayText();
          return shown?.includes(fragment) ? shown : null;
        },
        { timeoutMs, message: `the overlay to show "${fragment}"` },
      ),
    async waitForText(selector, expected, timeoutMs = 20_000) {
      let last: string | null = null;
      try {
        await waitFor(
          async () => {
            last = await text(selector);
            return last === expected;
          },
          { timeoutMs, intervalMs: 50, message: `${selector} to read "${expected}"` },
        );
      } catch (error) {
        throw new Error(
          `${(error as Error).message} (last: ${JSON.stringify(last)})\n` +
            `--- console ---\n${lines.slice(-30).join('\n')}`,
        );
      }
    },
    async close() {
      await page.close().catch(() => {});
    },
  };
}

/** The state a hot update must keep: the counter's text and the input's value. */
export async function readState(page: DemoPage): Promise<{ count: string | null; text: string }> {
  return { count: await page.text('#count'), text: await page.page.inputValue('#text') };
}

/** Clicks Count `times` times (from 0) and types `text` into the input: state to keep. */
export async function makeState(page: DemoPage, times: number, text: string): Promise<void> {
  for (let i = 0; i < times; i += 1) await page.page.click('#increment');
  await page.page.fill('#text', text);
  const state = await readState(page);
  if (state.count !== String(times)) {
    throw new Error(`The counter reads ${String(state.count)} after ${times} clicks`);
  }
}

/** Saves a screenshot of the page into apps/demo/test-results/; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path });
  return path;
}

/**
 * The built CLI and one Chromium for a test file's tests: made before them; after them
 * the browser closes and every demo server still running is killed (each test's own
 * server is normally stopped already; this catches failures).
 */
export function useCliAndBrowser(): { readonly bin: string; readonly browser: Browser } {
  const made: { bin?: string; browser?: Browser } = {};
  beforeAll(async () => {
    made.bin = ensureCliBuilt();
    made.browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await made.browser?.close();
    await killAllServers();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useCliAndBrowser: used before its beforeAll ran');
    return value;
  };
  return {
    get bin() {
      return ready(made.bin);
    },
    get browser() {
      return ready(made.browser);
    },
  };
}

/**
 * Runs a `pnpm dev …` line of an app's README in `cwd`, with `--host 127.0.0.1` and the port
 * replaced by a free one (or added), as its own process group (pnpm → turbo, then hmrkit
 * serve); resolves once it printed the URL and a build line. `stopSpawned()` ends it.
 */
export async function startDevLine(
  line: string,
  cwd: string,
): Promise<{ url: string; output(): string }> {
  const [pnpm, dev, ...args] = line.split(/\s+/);
  if (`${pnpm} ${dev}` !== 'pnpm dev') throw new Error(`not a pnpm dev line: ${line}`);
  const port = String(await getFreePort());
  const at = args.indexOf('--port');
  if (at >= 0) args.splice(at, 2);
  const started = spawnTracked('pnpm', ['dev', ...args, '--port', port, '--host', '127.0.0.1'], {
    cwd,
    group: true,
    env: { NO_COLOR: '1' },
  });
  const [, url] = (await started.printed(/Local:\s+(http:\S+)/)) as unknown as [string, string];
  if (url !== `http://127.0.0.1:${port}/`) throw new Error(`pnpm dev printed ${url}`);
  await started.printed(/compiled in \d+ ms/);
  return { url, output: started.output };
}
