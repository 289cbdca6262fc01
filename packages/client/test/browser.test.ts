// Real-browser tests: webpack 5 + our built client and runtime + headless
// Chromium. Needs the dist of @hmrkit/{client,runtime,protocol,hot-emitter}
// (CI builds first; run `pnpm --filter @hmrkit/client... build` locally).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeClientQuery } from '@hmrkit/protocol';
import { CHROMIUM_ARGS, CHROMIUM_PATH, getFreePort, waitFor } from '@hmrkit/test-utils';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Configuration } from 'webpack';
import { startTestServer, type TestServer } from './devServer';

const CLIENT_DIR = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(CLIENT_DIR, 'test-results');
const CHROMIUM = CHROMIUM_PATH;

function ensureBuilt(): void {
  for (const pkg of ['hot-emitter', 'protocol', 'runtime', 'client']) {
    const dir = join(CLIENT_DIR, '..', pkg);
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    }
  }
}

const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>hmrkit fixture</title>
<style>body{font:16px system-ui;margin:40px;background:#fafafa} pre,div{display:block}</style></head>
<body><h1>hmrkit fixture app</h1><div id="leaf"></div><div id="unaccepted"></div>
<script src="/main.js"></script></body></html>`;

const SOURCES = {
  'src/index.js': `import { leafText } from './leaf.js';
import { unacceptedText } from './unaccepted.js';
function render() { document.getElementById('leaf').textContent = leafText; }
document.getElementById('unaccepted').textContent = unacceptedText;
render();
if (module.hot) module.hot.accept('./leaf.js', render);
`,
  'src/leaf.js': `export const leafText = 'leaf:initial';\n`,
  'src/unaccepted.js': `export const unacceptedText = 'unaccepted:initial';\n`,
};

function webpackConfig(appDir: string, outDir: string, port: number): Configuration {
  const query = encodeClientQuery({
    protocol: 'ws:',
    hostname: '127.0.0.1',
    port,
    pathname: '/ws',
    logging: 'info',
    hot: true,
    liveReload: true,
  });
  return {
    mode: 'development',
    context: appDir,
    devtool: false,
    infrastructureLogging: { level: 'none' },
    entry: [`@hmrkit/client?${query}`, '@hmrkit/runtime', './src/index.js'],
    output: { path: outDir, publicPath: '/', filename: 'main.js' },
    // A failed build must not become the base of the next hot update: with
    // webpack's dev default (emit on errors) the fix's update chain starts at
    // the broken build, whose module throws when re-required, so fixing a
    // syntax error in an accepted module would fall back to a reload.
    optimization: { emitOnErrors: false },
    resolve: {
      // The fixture lives in a temp dir: find our packages and their
      // dependencies through this package, as an installed app would.
      modules: ['node_modules', join(CLIENT_DIR, 'node_modules')],
      alias: { '@hmrkit/client$': join(CLIENT_DIR, 'dist', 'index.js') },
    },
    plugins: [new webpack.HotModuleReplacementPlugin()],
  };
}

describe('in Chromium: hot updates, reloads, overlay, restart', () => {
  let appDir: string;
  let outDir: string;
  let port: number;
  let server: TestServer | undefined;
  let context: BrowserContext;
  let profileDir: string;
  let page: Page;
  const consoleLines: string[] = [];

  const edit = (file: keyof typeof SOURCES, text: string) => writeFile(join(appDir, file), text);
  const text = (id: string) => page.locator(`#${id}`).textContent();
  const marker = () => page.evaluate(() => (window as { __marker?: string }).__marker ?? null);
  const overlayText = () =>
    page.evaluate(() => document.querySelector('hmrkit-overlay')?.shadowRoot?.textContent ?? null);

  beforeAll(async () => {
    ensureBuilt();
    appDir = await mkdtemp(join(tmpdir(), 'hmrkit-app-'));
    outDir = join(appDir, 'dist');
    await mkdir(join(appDir, 'src'), { recursive: true });
    await mkdir(outDir, { recursive: true });
    await mkdir(RESULTS_DIR, { recursive: true });
    for (const [file, source] of Object.entries(SOURCES))
      await writeFile(join(appDir, file), source);
    await writeFile(join(outDir, 'index.html'), INDEX_HTML);
    port = await getFreePort();
    server = await startTestServer(webpackConfig(appDir, outDir, port), port);
    profileDir = await mkdtemp(join(tmpdir(), 'hmrkit-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 720 },
      args: [...CHROMIUM_ARGS],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => consoleLines.push(message.text()));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    if (appDir) await rm(appDir, { recursive: true, force: true });
  });

  it('connects and logs the startup line', async () => {
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitFor(async () => (await text('leaf')) === 'leaf:initial');
    await page.evaluate(() => {
      (window as { __marker?: string }).__marker = 'kept';
    });
    await waitFor(() => consoleLines.some((l) => l.includes('[HMR] Waiting for update signal')));
    expect(consoleLines).toContain(
      '[hmrkit] Server started: Hot Module Replacement enabled, Live Reloading enabled, Progress disabled, Overlay disabled.',
    );
  });

  it('applies an accepted edit without a reload', async () => {
    const built = server!.nextBuild();
    await edit('src/leaf.js', `export const leafText = 'leaf:hot-1';\n`);
    await built;
    await waitFor(async () => (await text('leaf')) === 'leaf:hot-1', { message: 'hot update' });
    expect(await marker()).toBe('kept');
    await waitFor(() => consoleLines.some((l) => /\[HMR\] Update took \d+ ms/.test(l)));
    expect(consoleLines).toContain('[HMR]  - ./src/leaf.js');
  });

  it('shows a syntax error in the overlay as text, and the fix hides it and applies', async () => {
    await edit(
      'src/leaf.js',
      `export const leafText = '<img src=x onerror="window.__pwned=1">' +;\n`,
    );
    await waitFor(async () => (await overlayText())?.includes('Module parse failed'), {
      message: 'overlay',
    });
    const shot = join(RESULTS_DIR, 'overlay-syntax-error.png');
    await page.screenshot({ path: shot });
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned ?? null)).toBeNull();
    expect(
      await page.evaluate(
        () => document.querySelector('hmrkit-overlay')?.shadowRoot?.querySelector('img') ?? null,
      ),
    ).toBeNull();
    expect(await overlayText()).toContain('<img src=x onerror="window.__pwned=1">');

    await edit('src/leaf.js', `export const leafText = 'leaf:fixed';\n`);
    await waitFor(async () => (await text('leaf')) === 'leaf:fixed', { message: 'fix applied' });
    await waitFor(async () => (await overlayText()) === null, { message: 'overlay hidden' });
    expect(await marker()).toBe('kept');
  });

  it('reloads the page for an edit nothing accepts', async () => {
    await edit('src/unaccepted.js', `export const unacceptedText = 'unaccepted:reloaded';\n`);
    await waitFor(async () => (await text('unaccepted')) === 'unaccepted:reloaded', {
      message: 'reload',
    });
    expect(await marker()).toBeNull();
    expect(consoleLines).toContain('[HMR] Cannot apply update. Need to do a full reload!');
  });

  it('shows uncaught runtime errors, dismissed with Escape', async () => {
    await page.evaluate(() => {
      setTimeout(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      });
      void Promise.reject(new Error('rejected <b>not bold</b>'));
    });
    // Both errors before Escape: the timer's error comes a task after the rejection, and one
    // shown after the dismissal would bring the overlay back.
    await waitFor(
      async () => {
        const shown = await overlayText();
        return shown?.includes('rejected <b>not bold</b>') && shown.includes("reading 'x'");
      },
      { message: 'both runtime errors in the overlay' },
    );
    expect(await overlayText()).toContain('Uncaught runtime errors');
    await page.screenshot({ path: join(RESULTS_DIR, 'overlay-runtime-errors.png') });
    await page.keyboard.press('Escape');
    await waitFor(async () => (await overlayText()) === null, { message: 'dismissed' });
  });

  it('survives a server restart and never leaves a stale page', async () => {
    await page.evaluate(() => {
      (window as { __marker?: string }).__marker = 'before-restart';
    });
    await server!.close();
    server = undefined;
    await waitFor(() => consoleLines.some((l) => l.includes('[hmrkit] Disconnected!')));
    // The "restarted" server: a fresh compiler (no records, no old hot-update
    // files) over changed sources, on the same port.
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'index.html'), INDEX_HTML);
    await edit('src/leaf.js', `export const leafText = 'leaf:after-restart';\n`);
    server = await startTestServer(webpackConfig(appDir, outDir, port), port);
    await waitFor(async () => (await text('leaf').catch(() => null)) === 'leaf:after-restart', {
      timeoutMs: 15_000,
      message: 'page updated after restart',
    });
    expect(consoleLines).toContain('[HMR] Cannot find update. Need to do a full reload!');
  }, 30_000);
});
