import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH, getFreePort, waitFor } from '@hmrkit/test-utils';
import { rspack } from '@rspack/core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import { connectFrames, createProject, type FrameClient, type Project, request } from './helpers';

// `new DevServer(options, rspack(config))`, with no shim: Rspack's compiler has webpack's API
// and `compiler.webpack` (= rspack), which is where every plugin the server adds comes from.

const INDEX = `import { render } from './view.js';
let count = 0;
window.__bootId ??= Math.random();
const button = document.createElement('button');
button.id = 'count';
button.textContent = '0';
button.onclick = () => { count += 1; button.textContent = String(count); };
const view = document.createElement('p');
view.id = 'view';
document.body.append(button, view);
render(view);
if (module.hot) module.hot.accept('./view.js', () => render(view));
`;
const view = (label: string): string =>
  `export function render(el) { el.textContent = '${label}'; }\n`;

let project: Project | undefined;
let server: DevServer | undefined;
let clients: FrameClient[] = [];
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), 'hmrkit-rspack-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await rm(profileDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await server?.stop();
  server = undefined;
  await project?.cleanup();
  project = undefined;
});

async function startRspack(): Promise<{ port: number; project: Project }> {
  project = await createProject({ 'src/index.js': INDEX, 'src/view.js': view('v1') });
  const compiler = rspack({
    mode: 'development',
    context: project.dir,
    entry: './src/index.js',
    devtool: false,
    infrastructureLogging: { level: 'none' },
    stats: 'none',
    output: { path: join(project.dir, 'dist'), publicPath: '/' },
    plugins: [new rspack.HtmlRspackPlugin()],
  });
  server = new DevServer(
    { host: '127.0.0.1', port: await getFreePort(), static: false, setupExitSignals: false },
    compiler,
  );
  await server.start();
  return { port: server.options.port as number, project };
}

async function frames(port: number): Promise<FrameClient> {
  const client = await connectFrames(`ws://127.0.0.1:${port}/ws`);
  clients.push(client);
  return client;
}

async function textOf(page: Page, selector: string): Promise<string | null> {
  return page
    .locator(selector)
    .textContent({ timeout: 1000 })
    .catch(() => null);
}

async function waitForText(page: Page, selector: string, expected: string): Promise<void> {
  await waitFor(async () => (await textOf(page, selector)) === expected, {
    timeoutMs: 20_000,
    intervalMs: 50,
    message: `${selector} to read "${expected}"`,
  });
}

describe('DevServer with an Rspack compiler', () => {
  it('serves the page (GET / 200) and sends the webpack-dev-server 5 frames', async () => {
    const { port, project } = await startRspack();
    const page = await request(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script defer src="/main.js"></script>');
    const bundle = await request(port, '/main.js');
    expect(bundle.status).toBe(200);
    // The client and the runtime were added as entries, and HMR by Rspack's own plugin.
    expect(bundle.body).toContain('hmrkit');
    expect(bundle.body).toContain('hot-update.json');

    const client = await frames(port);
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);
    expect(client.frames[4]?.data).toBe(server?.stats?.hash);

    client.frames.length = 0;
    project.write('src/view.js', "export function render(el) { el.textContent = 'x' }\nfoo(;\n");
    await client.waitForType('errors');
    const errors = client.frames.find((frame) => frame.type === 'errors')?.data;
    expect(errors).toEqual([
      expect.objectContaining({
        moduleName: './src/view.js',
        message: expect.stringContaining('JavaScript parse error'),
      }),
    ]);
    expect(client.types().slice(-2)).toEqual(['hash', 'errors']);
  });

  it('sends progress-update frames from a MultiCompiler (Rspack applies ProgressPlugin per child)', async () => {
    project = await createProject({ 'src/index.js': INDEX, 'src/view.js': view('v1') });
    const base = {
      mode: 'development' as const,
      context: project.dir,
      entry: './src/index.js',
      devtool: false as const,
      infrastructureLogging: { level: 'none' as const },
      stats: 'none' as const,
    };
    const compiler = rspack([
      { ...base, name: 'web', output: { path: join(project.dir, 'dist/web'), publicPath: '/' } },
      {
        ...base,
        name: 'node',
        target: 'node',
        output: { path: join(project.dir, 'dist/node'), publicPath: '/node/' },
      },
    ]);
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        static: false,
        setupExitSignals: false,
        client: { progress: true },
      },
      compiler,
    );
    await server.start();
    const port = server.options.port as number;
    const client = await frames(port);
    await client.waitForType('ok');
    client.frames.length = 0;
    project.write('src/view.js', view('v2'));
    await client.waitForType('ok');
    const progress = client.frames
      .filter((frame) => frame.type === 'progress-update')
      .map((frame) => frame.data as { percent: number; msg: string });
    expect(progress.length).toBeGreaterThan(2);
    for (const { percent, msg } of progress) {
      expect(Number.isInteger(percent) && percent >= 0 && percent <= 100).toBe(true);
      expect(typeof msg).toBe('string');
      expect(msg).not.toContain('[object Object]');
    }
    expect(progress.map((p) => p.msg)).toContain('Compilation completed');
    // The browser client (an entry with its query) goes into the web child only.
    const clientEntry = /client\/dist\/index\.js\?protocol=/;
    expect((await request(port, '/main.js')).body).toMatch(clientEntry);
    const nodeBundle = await request(port, '/node/main.js');
    expect(nodeBundle.status).toBe(200);
    expect(nodeBundle.body).not.toMatch(clientEntry);
  });

  it('hot-updates in Chromium with state kept, and recovers hot from a syntax error', async () => {
    const { port, project } = await startRspack();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const messages: string[] = [];
    let loads = 0;
    const failed: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('load', () => {
      loads += 1;
    });
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => messages.push(String(payload))),
    );
    const received = (type: string): number =>
      messages.filter((m) => m.startsWith(`{"type":"${type}"`)).length;
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      await waitForText(page, '#view', 'v1');
      await waitFor(() => received('ok') >= 1, { message: 'the first ok on the page socket' });
      const bootId = await page.evaluate(() => (window as { __bootId?: number }).__bootId);
      for (let i = 0; i < 3; i++) await page.click('#count');
      await waitForText(page, '#count', '3');

      project.write('src/view.js', view('v2'));
      await waitForText(page, '#view', 'v2');
      expect(await textOf(page, '#count')).toBe('3');

      const okBefore = received('ok');
      project.write('src/view.js', "export function render(el) { el.textContent = 'x' }\nfoo(;\n");
      await waitFor(() => received('errors') >= 1, { message: 'an errors frame' });
      await waitFor(
        async () =>
          (
            (await page
              .evaluate(() => document.querySelector('hmrkit-overlay')?.shadowRoot?.textContent)
              .catch(() => null)) ?? ''
          ).includes('view.js'),
        { message: 'the overlay naming view.js' },
      );

      project.write('src/view.js', view('v3'));
      await waitForText(page, '#view', 'v3');
      expect(received('ok')).toBeGreaterThan(okBefore);
      // Applied hot: same page load, same module state, overlay gone.
      expect(await textOf(page, '#count')).toBe('3');
      expect(await page.evaluate(() => (window as { __bootId?: number }).__bootId)).toBe(bootId);
      expect(loads).toBe(1);
      await waitFor(
        async () =>
          (await page.evaluate(() => document.querySelector('hmrkit-overlay') === null)) === true,
        { message: 'the overlay to close' },
      );
      // Chromium asks for a favicon the app does not have; nothing else may fail.
      expect(failed.filter((line) => !line.endsWith('/favicon.ico'))).toEqual([]);
      expect(consoleErrors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
