// A restart keeps the page's state (keepState): the dev server is stopped and
// started again on the same port while a page stays open in Chromium. In
// process (a new DevServer on a new compiler) and as a user does it (`hmrkit
// serve` stopped with Ctrl-C, SIGINT, and run again), for both transports.
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DevServer } from '@hmrkit/dev-server';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import webpack, { type Configuration } from 'webpack';
import {
  type AppCopy,
  createAppCopy,
  type DemoPage,
  type DemoServer,
  makeState,
  messageType,
  openDemoPage,
  readState,
  sockjsMessages,
  startDemoServer,
  type Transport,
  useCliAndBrowser,
} from './harness';

const E2E = { timeout: 90_000 };
const GREETING = 'Hello from hmrkit';

const env = useCliAndBrowser();

/**
 * A page on the app plus the hot-update manifests it got: fetched over HTTP, or
 * pushed over its socket (hmrkit's `hot-update` frame), each name once.
 */
interface WatchedPage extends DemoPage {
  manifests: string[];
}

async function openWatched(url: string): Promise<WatchedPage> {
  const demo = await openDemoPage(env.browser, url);
  const manifests: string[] = [];
  const add = (path: string): void => {
    if (path.endsWith('.hot-update.json') && !manifests.includes(path)) manifests.push(path);
  };
  demo.page.on('request', (request) => add(new URL(request.url()).pathname));
  demo.page.on('websocket', (socket) => {
    const sockjs = /\/[^/]+\/[^/]+\/websocket$/.test(new URL(socket.url()).pathname);
    socket.on('framereceived', ({ payload }) => {
      const frame = typeof payload === 'string' ? payload : payload.toString('utf8');
      for (const text of sockjs ? sockjsMessages(frame) : [frame]) {
        if (messageType(text) !== 'hot-update') continue;
        const { data } = JSON.parse(text) as { data: { files: Array<{ name: string }> } };
        for (const file of data.files) add(`/${file.name}`);
      }
    });
  });
  await demo.waitForText('#greeting', GREETING);
  await demo.waitForConnection();
  return Object.assign(demo, { manifests });
}

async function expectStateKept(page: DemoPage, times: number, text: string): Promise<void> {
  expect(await readState(page)).toEqual({ count: String(times), text });
}

/** The `hash` frames the page's socket received from `from` on. */
function hashes(page: DemoPage, from = 0): string[] {
  const found: string[] = [];
  for (const text of page.messages.slice(from)) {
    const message = JSON.parse(text) as { type?: string; data?: unknown };
    if (message.type === 'hash' && typeof message.data === 'string') found.push(message.data);
  }
  return found;
}

/** The hash of the build the page runs: the last one its socket heard (it applies each). */
const pageHash = (page: DemoPage): string => hashes(page).at(-1) ?? '';

/**
 * Resolves once a page that reconnected (after `messages` frames) is up to
 * date: the server built the very hash it runs, or the runtime found an update
 * that replaces no module. (A fresh build of unchanged files need not have the
 * hash of the rebuild before it: html-webpack-plugin, for one, skips its child
 * compilation in rebuilds, and the child's hash is part of the build's.)
 */
async function waitForUpToDate(
  page: DemoPage,
  fromConsole: number,
  messages: number,
): Promise<void> {
  const all = hashes(page);
  const before = all.slice(0, all.length - hashes(page, messages).length).at(-1);
  await waitFor(
    () => {
      const after = hashes(page, messages);
      if (after.length === 0) return false;
      return (
        (after.length === 1 && after[0] === before) ||
        page.console.slice(fromConsole).some((line) => line.includes('[HMR] App is up to date.'))
      );
    },
    { timeoutMs: 45_000, message: 'the page to find itself up to date after the restart' },
  );
}

const NOT_FOUND = 'Failed to load resource: the server responded with a status of 404 (Not Found)';

/** Console errors other than the client's own about the server being away. */
function unexpectedErrors(page: DemoPage): string[] {
  return page.errors.filter(
    (line) => !line.includes('Disconnected!') && !line.includes('ERR_CONNECTION_REFUSED'),
  );
}

/** The client's "Disconnected" line: the page has seen the server go. */
async function waitForDisconnect(page: DemoPage, before: number): Promise<void> {
  await waitFor(() => page.console.slice(before).some((line) => line.includes('Disconnected')), {
    timeoutMs: 10_000,
    message: 'the client to notice the server is gone',
  });
}

/**
 * The app copy as its own project (a package.json of its own), so its records
 * go to <copy>/node_modules/.cache/hmrkit/ and no other test's server shares them.
 */
async function createProjectCopy(): Promise<AppCopy> {
  const app = await createAppCopy();
  await writeFile(
    join(app.dir, 'package.json'),
    `${JSON.stringify({ name: 'restart-copy', private: true, type: 'module' }, null, 2)}\n`,
  );
  // Files written a moment before webpack starts watching count as changed
  // once it watches, and it rebuilds right after the first build: dated a
  // minute back, the first build is the only one until a test edits.
  const past = new Date(Date.now() - 60_000);
  for (const entry of await readdir(app.dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) await utimes(join(entry.parentPath, entry.name), past, past);
  }
  return app;
}

const recordsFile = (app: AppCopy): string =>
  join(app.dir, 'node_modules', '.cache', 'hmrkit', '0', 'records.json');

describe.each<Transport>(['ws', 'sockjs'])('restart in process (%s)', (transport) => {
  let app: AppCopy;
  let port: number;
  let server: DevServer | undefined;
  let demo: WatchedPage | undefined;
  let generation = 0;
  const logged: string[] = [];

  /** The app's webpack config, freshly imported (a config edit is seen). */
  async function loadConfig(): Promise<Configuration & { devServer?: Record<string, unknown> }> {
    generation += 1;
    const url = `${pathToFileURL(join(app.dir, 'webpack.config.js')).href}?v=${generation}`;
    return ((await import(url)) as { default: Configuration }).default;
  }

  /** A new DevServer on a new compiler, on the same port, as a restart makes them. */
  async function start(): Promise<DevServer> {
    const { devServer, ...config } = await loadConfig();
    const record = (...args: unknown[]): void => {
      logged.push(args.map(String).join(' '));
    };
    const compiler = webpack({
      ...config,
      stats: 'none',
      infrastructureLogging: {
        level: 'info',
        console: { ...console, info: record, log: record, warn: record, error: record },
      },
    });
    server = new DevServer(
      {
        ...devServer,
        host: '127.0.0.1',
        port,
        webSocketServer: transport,
        setupExitSignals: false,
      },
      compiler,
    );
    await server.start();
    return server;
  }

  async function stop(): Promise<void> {
    const running = server;
    server = undefined;
    await running?.stop();
    // As a process exit would: the compiler's caches and file watchers go.
    await new Promise<void>((done) => running?.compiler.close(() => done()));
  }

  /** Stops the server under an open page and waits until the page knows. */
  async function stopUnder(page: DemoPage): Promise<number> {
    const before = page.console.length;
    const messages = page.messages.length;
    await stop();
    await waitForDisconnect(page, before);
    return messages;
  }

  beforeEach(async () => {
    app = await createProjectCopy();
    port = await getFreePort();
    logged.length = 0;
    await start();
    demo = await openWatched(`http://127.0.0.1:${port}/`);
  }, 90_000);

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
    await stop();
    await app?.remove();
  });

  it(
    '(a) an edit made while stopped arrives hot: same document, counter and input kept',
    E2E,
    async () => {
      const page = demo as WatchedPage;
      await makeState(page, 3, 'typed before the restart');
      const bootId = await page.bootId();
      const oldHash = pageHash(page);
      const mark = page.manifests.length;
      await stopUnder(page);
      await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello, edited while down'));
      await start();
      await page.waitForText('#greeting', 'Hello, edited while down', 45_000);
      expect(await page.bootId()).toBe(bootId);
      expect(page.loads()).toBe(1);
      await expectStateKept(page, 3, 'typed before the restart');
      // One update, from the hash the page ran before the restart.
      expect(page.manifests.slice(mark)).toEqual([`/main.${oldHash}.hot-update.json`]);
      expect(unexpectedErrors(page)).toEqual([]);
    },
  );

  it('(b) no edit: no reload, no module replaced, the page is up to date', E2E, async () => {
    const page = demo as WatchedPage;
    await makeState(page, 2, 'nothing changes');
    const bootId = await page.bootId();
    // A hot edit first, as in any working session.
    await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello before a quiet restart'));
    await page.waitForText('#greeting', 'Hello before a quiet restart');
    const from = { console: page.console.length, manifests: page.manifests.length };
    const messages = await stopUnder(page);
    await start();
    await waitForUpToDate(page, from.console, messages);
    expect(page.manifests.length - from.manifests).toBeLessThanOrEqual(1);
    expect(page.console.slice(from.console).join('\n')).not.toContain('Updated modules');
    expect(await page.bootId()).toBe(bootId);
    expect(page.loads()).toBe(1);
    await expectStateKept(page, 2, 'nothing changes');
    // In step with the server: the next edit arrives hot.
    await app.edit('src/greeting.ts', (s) => s.replace('before a quiet', 'after a quiet'));
    await page.waitForText('#greeting', 'Hello after a quiet restart');
    expect(page.loads()).toBe(1);
    expect(unexpectedErrors(page)).toEqual([]);
  });

  it(
    '(c) a config change while stopped: exactly one reload, then hot updates again',
    E2E,
    async () => {
      const page = demo as WatchedPage;
      await makeState(page, 2, 'lost by the reload');
      const bootId = await page.bootId();
      const oldHash = pageHash(page);
      const mark = page.manifests.length;
      await stopUnder(page);
      // A new output.uniqueName changes the runtime's globals: an update computed
      // from the old records would load into a page that cannot run it.
      await app.edit('webpack.config.js', (s) =>
        s.replace("publicPath: '/',", "publicPath: '/',\n    uniqueName: 'restarted-demo',"),
      );
      await start();
      await waitFor(() => page.loads() === 2, { timeoutMs: 45_000, message: 'one reload' });
      await page.waitForText('#greeting', GREETING);
      const newBootId = await page.bootId();
      expect(newBootId).not.toBe(bootId);
      expect(await page.text('#count')).toBe('0');
      expect(page.console.join('\n')).toContain(
        '[HMR] Cannot find update. Need to do a full reload!',
      );
      expect(logged.join('\n')).toMatch(
        /HMR records at .* not used \(the webpack config changed\)/,
      );
      // No second reload: the reloaded page takes the next edit hot.
      await page.waitForConnection(page.messages.length - 1);
      await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello, new config'));
      await page.waitForText('#greeting', 'Hello, new config');
      expect(page.loads()).toBe(2);
      expect(await page.bootId()).toBe(newBootId);
      // The one error: the manifest from the old hash, which the new build does not have.
      expect(page.manifests[mark]).toBe(`/main.${oldHash}.hot-update.json`);
      expect(unexpectedErrors(page)).toEqual([NOT_FOUND]);
    },
  );

  it('(d) corrupt records: one reload and a warning, no crash', E2E, async () => {
    const page = demo as WatchedPage;
    await makeState(page, 1, 'lost by the reload');
    const oldHash = pageHash(page);
    const mark = page.manifests.length;
    await stopUnder(page);
    await writeFile(recordsFile(app), '{"hash": "0123", "chunkHashes": ');
    await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello after corrupt records'));
    await start();
    await waitFor(() => page.loads() === 2, { timeoutMs: 45_000, message: 'one reload' });
    await page.waitForText('#greeting', 'Hello after corrupt records');
    expect(await page.text('#count')).toBe('0');
    expect(logged.join('\n')).toMatch(
      /Ignored corrupt HMR records at .*records\.json: not JSON .*Pages opened before the restart reload once\./,
    );
    await page.waitForConnection(page.messages.length - 1);
    await app.edit('src/greeting.ts', (s) => s.replace('after corrupt records', 'once more'));
    await page.waitForText('#greeting', 'Hello once more');
    expect(page.loads()).toBe(2);
    expect(page.manifests[mark]).toBe(`/main.${oldHash}.hot-update.json`);
    expect(unexpectedErrors(page)).toEqual([NOT_FOUND]);
  });
});

describe.each<Transport>(['ws', 'sockjs'])('hmrkit serve stopped with SIGINT (%s)', (transport) => {
  let app: AppCopy;
  let server: DemoServer | undefined;
  let demo: WatchedPage | undefined;

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
    await server?.stop('SIGKILL');
    server = undefined;
    await app?.remove();
  });

  it('keeps the page through two restarts: an edit made while down, then none', E2E, async () => {
    app = await createProjectCopy();
    const port = await getFreePort();
    const start = (): Promise<DemoServer> =>
      startDemoServer({ bin: env.bin, appDir: app.dir, port, transport });
    server = await start();
    const page = await openWatched(server.url);
    demo = page;
    await makeState(page, 4, 'through two restarts');
    const bootId = await page.bootId();
    const firstHash = pageHash(page);
    const mark = page.manifests.length;

    // Ctrl-C, an edit while it is down, start again: the edit arrives hot.
    let before = page.console.length;
    expect(await server.stop('SIGINT')).toBe(0);
    await waitForDisconnect(page, before);
    await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello, edited while down'));
    server = await start();
    await page.waitForText('#greeting', 'Hello, edited while down', 45_000);
    expect(page.manifests.slice(mark)).toEqual([`/main.${firstHash}.hot-update.json`]);

    // Ctrl-C again, no edit: the page stays as it is.
    before = page.console.length;
    const messages = page.messages.length;
    const manifests = page.manifests.length;
    expect(await server.stop('SIGINT')).toBe(0);
    await waitForDisconnect(page, before);
    server = await start();
    await waitForUpToDate(page, before, messages);
    expect(page.manifests.length - manifests).toBeLessThanOrEqual(1);
    expect(page.console.slice(before).join('\n')).not.toContain('Updated modules');

    expect(await page.bootId()).toBe(bootId);
    expect(page.loads()).toBe(1);
    await expectStateKept(page, 4, 'through two restarts');
    expect(server.output()).not.toMatch(/HMR records/);
    expect(unexpectedErrors(page)).toEqual([]);
  });
});
