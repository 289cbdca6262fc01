// Browser cases in headless Chromium against a real webpack compiler: an
// in-process stop()/start() with a page that loses its connection and
// recovers, a web worker's own socket, webSocketServer: false, and the
// overlay's "open in editor" link. The page loads our built client and
// runtime (dist), so `pnpm build` first (the root test script does).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, getFreePort, waitFor } from '@hmrkit/test-utils';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'webpack';
import { DevServer, type DevServerOptions } from '../src/index';
import {
  createCompiler,
  createMultiCompiler,
  createProject,
  installFakeEditor,
  type Project,
} from './helpers';

const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>fixture</title></head>
<body><div id="out"></div><script src="/main.js"></script></body></html>`;

// A restart waits for the client's reconnect backoff (1 s, 2 s, …): room for a loaded machine.
const BROWSER_TIMEOUT = 60_000;

let browser: Browser;
let project: Project | undefined;
let server: DevServer | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  await server?.stop();
  server = undefined;
  await project?.cleanup();
  project = undefined;
});

interface Started {
  port: number;
  page: Page;
  console: string[];
  text(): Promise<string | null>;
}

async function open(
  files: Record<string, string>,
  options: DevServerOptions = {},
  config: Configuration | Configuration[] = {},
): Promise<Started> {
  project = await createProject({ 'public/index.html': INDEX_HTML, ...files });
  const port = await getFreePort();
  server = new DevServer(
    {
      host: '127.0.0.1',
      port,
      static: { directory: join(project.dir, 'public'), watch: false },
      setupExitSignals: false,
      client: { logging: 'info' },
      ...options,
    },
    Array.isArray(config)
      ? createMultiCompiler(project.dir, config)
      : createCompiler(project.dir, config),
  );
  await server.start();
  context = await browser.newContext();
  const current = await context.newPage();
  const lines: string[] = [];
  current.on('console', (message) => lines.push(message.text()));
  await current.goto(`http://127.0.0.1:${port}/`);
  return {
    port,
    page: current,
    console: lines,
    text: () => current.locator('#out').textContent(),
  };
}

const until = (check: () => unknown, message: string): Promise<unknown> =>
  waitFor(async () => await check(), { timeoutMs: 30_000, message });

describe('in Chromium: stop() then start() on the same instance', () => {
  it(
    'a page that lost its connection reconnects, gets the build made meanwhile, and keeps updating',
    async () => {
      const render = (v: string): string =>
        `document.getElementById('out').textContent = '${v}';\n`;
      const { page: p, console: lines, text } = await open({ 'src/index.js': render('v1') });
      await until(async () => (await text()) === 'v1', 'v1 on the page');
      await until(() => lines.some((l) => l.includes('Waiting for update signal')), 'the runtime');

      await server!.stop();
      await until(() => lines.some((l) => l.includes('Disconnected!')), '"Disconnected!"');
      // An edit while the server is down: the restarted watch builds it.
      project!.write('src/index.js', render('v2'));
      await server!.start();
      await until(async () => (await text()) === 'v2', 'v2 after the restart');
      const main = await p.evaluate(async () => {
        const response = await fetch('/main.js');
        return { status: response.status, type: response.headers.get('content-type') };
      });
      expect(main).toEqual({ status: 200, type: expect.stringMatching(/javascript/) });

      // The socket of the restarted server carries the next edits too.
      project!.write('src/index.js', render('v3'));
      await until(async () => (await text()) === 'v3', 'v3 after a later edit');
      expect(lines.filter((l) => l.includes('Invalid Host/Origin'))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});

describe('in Chromium: web workers', () => {
  // A worker entry: the page's compiler (target web) and the worker's (target
  // webworker) in one MultiCompiler; the page starts `new Worker('/worker.js')`.
  const WORKER_FILES = {
    'src/index.js': `const worker = new Worker('/worker.js');
worker.onmessage = (event) => { document.getElementById('out').textContent = event.data; };
`,
    'src/worker.js': `import { value } from './value.js';
postMessage(value);
if (import.meta.webpackHot) import.meta.webpackHot.accept('./value.js', () => postMessage(value));
`,
    'src/value.js': `export const value = 'worker:v1';\n`,
  };

  it(
    "a Worker's own socket connects, receives frames and hot-applies an update",
    async () => {
      const rejected: string[] = [];
      const {
        text,
        port,
        page: p,
        // webpack-dev-server's documented "dial wherever the page came from" URL: the
        // worker must take its host and port from its own location, not `localhost`.
      } = await open(
        WORKER_FILES,
        { client: { logging: 'info', webSocketURL: 'auto://0.0.0.0:0/ws' } },
        [
          {},
          {
            name: 'worker',
            target: 'webworker',
            entry: './src/worker.js',
            output: { filename: 'worker.js' },
          },
        ],
      );
      server!.socketServer?.on('rejected', (_request, reason) => rejected.push(reason));
      await until(async () => (await text()) === 'worker:v1', 'the worker’s first message');
      await until(() => (server!.socketServer?.clients.size ?? 0) >= 2, 'page + worker sockets');
      // The worker dialled the page's own host (not `localhost`): Host and Origin agree.
      const hosts = [...(server!.socketServer?.clients ?? [])].map((c) => c.request.headers.host);
      expect(hosts).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${port}`]);
      const origins = [...(server!.socketServer?.clients ?? [])].map(
        (c) => c.request.headers.origin,
      );
      expect(origins).toEqual([
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
      ]);
      await p.evaluate(() => {
        (window as { marker?: string }).marker = 'kept';
      });
      project!.write('src/value.js', `export const value = 'worker:v2';\n`);
      await until(async () => (await text()) === 'worker:v2', 'the hot-updated worker message');
      // Applied in the worker over its own socket: the page was not reloaded.
      expect(await p.evaluate(() => (window as { marker?: string }).marker)).toBe('kept');
      expect(rejected).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});

describe("in Chromium: the overlay opens a problem's file in the editor", () => {
  it(
    'clicking the file name of a compile error runs the editor on that file',
    async () => {
      const saved = process.env.LAUNCH_EDITOR;
      try {
        const { page: p, console: lines } = await open({
          'src/index.js': "import './broken.js';\n",
          'src/broken.js': 'export const fine = 1;\n',
        });
        await until(
          () => lines.some((l) => l.includes('Waiting for update signal')),
          'the runtime',
        );
        const opened = installFakeEditor(project!);
        project!.write('src/broken.js', 'export const = ;\n');
        const link = p.locator('hmrkit-overlay a.where');
        await link.first().waitFor({ timeout: 30_000 });
        expect(await link.first().textContent()).toContain('./src/broken.js');
        await link.first().click();
        await until(() => existsSync(opened), 'the editor to be started');
        expect(readFileSync(opened, 'utf8')).toBe(`${join(project!.dir, 'src/broken.js')}\n`);
      } finally {
        if (saved === undefined) delete process.env.LAUNCH_EDITOR;
        else process.env.LAUNCH_EDITOR = saved;
      }
    },
    BROWSER_TIMEOUT,
  );
});
