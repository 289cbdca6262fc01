// The webpack configs of the client and runtime READMEs (`<!-- example-config: webpack.config.js -->`)
// built as written with webpack in a temp project that has the packed packages npm-installed, and
// run in Chromium. The project's own server is what the README says it needs: the build's files
// over HTTP and the protocol's frames on `/ws` (here a node:http server with `ws`, sending `hot`,
// `liveReload`, then `hash` + `ok` after each build that `watch.js`, the project's
// `webpack.watch`, reports). Checked: the startup line says the overlay is on (the query once
// shown turned it off), an `errors` frame opens the overlay, and an edit of an accepted module is
// applied hot with the `[HMR]` lines the runtime README shows.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  getFreePort,
  installedPackage,
  type PackedProject,
  readmeBlock,
  readmeBlocks,
  setUpPackedProject,
  spawnTracked,
  stopSpawned,
  waitFor,
} from '@hmrkit/test-utils';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

const PACKAGES_DIR = fileURLToPath(new URL('../../', import.meta.url));
const configOf = (pkg: string): string =>
  readmeBlock(
    readmeBlocks(join(PACKAGES_DIR, pkg, 'README.md'), 'example-config'),
    'webpack.config.js',
  );

// The app: an entry that accepts ./leaf.js and redraws, and a boot id that a reload would change.
const APP = {
  'index.html':
    '<!doctype html><title>readme</title><div id="leaf"></div><script src="/main.js"></script>\n',
  'src/index.js': [
    "import { text } from './leaf.js';",
    "const render = (value) => { document.getElementById('leaf').textContent = value; };",
    'render(text);',
    'window.__bootId ??= Math.random();',
    "if (module.hot) module.hot.accept('./leaf.js', () => render(require('./leaf.js').text));",
    '',
  ].join('\n'),
  'src/leaf.js': "export const text = 'leaf 1';\n",
  // The project's build: webpack in watch mode on the README's config, one line per build.
  'watch.js': [
    "const webpack = require('webpack');",
    "const config = require('./webpack.config.js');",
    'webpack(config).watch({ aggregateTimeout: 5 }, (error, stats) => {',
    "  if (error || stats.hasErrors()) console.log('failed', error ?? stats.toString('errors-only'));",
    "  else console.log('built ' + stats.hash);",
    '});',
    '',
  ].join('\n'),
};

let cleanup: (() => Promise<void>) | undefined;
let project: PackedProject;
let browser: Browser;
const servers: Server[] = [];

beforeAll(async () => {
  ({ project, cleanup } = await setUpPackedProject('hmrkit-client-readme-', {
    // The READMEs: `npm install -D @hmrkit/client @hmrkit/runtime` (and webpack).
    packages: ['@hmrkit/client', '@hmrkit/runtime'],
    // and sockjs-client, the optional peer of the README's SockJS transport alias.
    dependencies: {
      webpack: installedPackage(join(PACKAGES_DIR, 'client'), 'webpack').version,
      'sockjs-client': installedPackage(join(PACKAGES_DIR, 'client'), 'sockjs-client').version,
    },
  }));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}, 180_000);

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  await stopSpawned();
});

afterAll(async () => {
  await browser?.close();
  await cleanup?.();
});

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
};

/** The project's server: dist/ and index.html over HTTP, frames on /ws. */
async function startServer(dir: string) {
  const port = await getFreePort();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? join(dir, 'index.html') : join(dir, 'dist', path.slice(1));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  servers.push(server);
  const sockets = new WebSocketServer({ server, path: '/ws' });
  let hash = '';
  const send = (...frames: object[]): void => {
    for (const client of sockets.clients) {
      for (const frame of frames) client.send(JSON.stringify(frame));
    }
  };
  sockets.on('connection', (client) => {
    for (const frame of [
      { type: 'hot' },
      { type: 'liveReload' },
      { type: 'hash', data: hash },
      { type: 'ok' },
    ]) {
      client.send(JSON.stringify(frame));
    }
  });
  server.on('close', () => sockets.close());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    build(next: string) {
      hash = next;
      send({ type: 'hash', data: next }, { type: 'ok' });
    },
    send,
  };
}

async function openPage(url: string): Promise<{ page: Page; console: string[] }> {
  const page = await browser.newPage();
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  await page.goto(url);
  return { page, console: lines };
}

const STARTED =
  '[hmrkit] Server started: Hot Module Replacement enabled, Live Reloading enabled, Progress disabled, Overlay enabled.';

describe.each(['client', 'runtime'])(
  '%s README: webpack.config.js built as written, in Chromium',
  (pkg) => {
    it('the client starts with the overlay on, and an edit of an accepted module is applied hot', async () => {
      const example = await project.example({ ...APP, 'webpack.config.js': configOf(pkg) });
      const watch = spawnTracked(process.execPath, ['watch.js'], { cwd: example.dir });
      const [, first] = (await watch.printed(/^(?:built (\w+)|failed)/m)) as unknown as [
        string,
        string,
      ];
      expect(first, watch.output()).toMatch(/^[0-9a-f]+$/);
      const server = await startServer(example.dir);
      server.build(first);

      const { page, console } = await openPage(server.url);
      try {
        await waitFor(() => console.includes(STARTED), { message: `"${STARTED}" in ${console}` });
        expect(await page.textContent('#leaf')).toBe('leaf 1');
        const bootId = await page.evaluate(() => (window as { __bootId?: number }).__bootId);

        const from = watch.output().length;
        await writeFile(join(example.dir, 'src/leaf.js'), "export const text = 'leaf 2';\n");
        const [, second] = (await watch.printed(/^built (\w+)/m, from)) as unknown as [
          string,
          string,
        ];
        server.build(second);
        await waitFor(async () => (await page.textContent('#leaf')) === 'leaf 2', {
          message: `the hot update; console: ${console.join('\n')}`,
        });
        expect(await page.evaluate(() => (window as { __bootId?: number }).__bootId)).toBe(bootId);
        // What the runtime README shows for an accepted edit.
        await waitFor(() => console.some((line) => /^\[HMR\] Update took \d+ ms/.test(line)), {
          message: 'the Update took line',
        });
        const all = console.filter((line) => line.startsWith('[HMR]'));
        // From the first check on (at load the runtime logs `Waiting for update signal…`).
        const hmr = all.slice(all.indexOf('[HMR] Checking for updates on the server...'));
        expect(hmr.slice(0, 4)).toEqual([
          '[HMR] Checking for updates on the server...',
          '[HMR] Updated modules:',
          '[HMR]  - ./src/leaf.js',
          '[HMR] App is up to date.',
        ]);
        expect(hmr[4]).toMatch(/^\[HMR\] Update took \d+ ms \(server ready → applied\)\.$/);

        // overlay=true: an errors frame shows in the overlay.
        server.send({ type: 'errors', data: [{ message: 'readme overlay error' }] });
        await waitFor(
          async () =>
            (
              await page.evaluate(
                () => document.querySelector('hmrkit-overlay')?.shadowRoot?.textContent ?? '',
              )
            ).includes('readme overlay error'),
          { message: 'the overlay' },
        );
      } finally {
        await page.close();
      }
    }, 60_000);
  },
);

describe('client README: the transport alias, in the README config', () => {
  it('transport-alias: the bundle has the SockJS transport and sockjs-client instead of WebSocket', async () => {
    const fragment = readmeBlock(
      readmeBlocks(join(PACKAGES_DIR, 'client/README.md'), 'example-config'),
      'transport-alias',
    );
    expect(fragment).toMatch(/^resolve: \{\n[\s\S]*\n\},\n$/);
    // The fragment is a key of the config object: it goes in after `mode`.
    const config = configOf('client').replace(
      "  mode: 'development',\n",
      // A function: the fragment's `$'` must not be read as a replacement pattern.
      () => `  mode: 'development',\n${fragment.replace(/^/gm, () => '  ')}`,
    );
    const example = await project.example({
      ...APP,
      'webpack.config.js': config,
      'build.js': [
        "const webpack = require('webpack');",
        "webpack(require('./webpack.config.js')).run((error, stats) => {",
        "  console.log(error || stats.hasErrors() ? stats.toString('errors-only') : 'built');",
        '});',
        '',
      ].join('\n'),
    });
    const build = spawnTracked(process.execPath, ['build.js'], { cwd: example.dir });
    expect(await build.exited, build.output()).toBe(0);
    expect(build.output()).toBe('built\n');
    const bundle = await readFile(join(example.dir, 'dist/main.js'), 'utf8');
    expect(bundle.includes('@hmrkit/client/dist/transports/sockjs.cjs')).toBe(true);
    expect(bundle.includes('node_modules/sockjs-client/')).toBe(true);
    expect(bundle.includes('@hmrkit/client/dist/transport.js')).toBe(false);
  }, 60_000);
});
