// The README's examples run as written, the way a user runs them: in a temp project that has the
// packed packages npm-installed (`pnpm pack`: the `files` and `exports` users get), started with
// plain node. `<!-- example: name -->` blocks are whole programs, `<!-- example-file: name -->` the
// files they import, `<!-- example-config: name -->` webpack configs (whole, or a fragment this
// test completes). What the test sets: the base of `port: 'auto'`
// (WEBPACK_DEV_SERVER_BASE_PORT, documented) and, for the proxy, its target's port.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getFreePort,
  installedPackage,
  type PackedProject,
  readmeBlock,
  readmeBlocks,
  setUpPackedProject,
  spawnTracked,
  stopSpawned,
} from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectFrames, type FrameClient, request } from './helpers';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const README = join(PACKAGE_DIR, 'README.md');
const examples = readmeBlocks(README, 'example');
const files = readmeBlocks(README, 'example-file');
const configs = readmeBlocks(README, 'example-config');

const installed = (name: string) => installedPackage(PACKAGE_DIR, name);
const REACT_APP = fileURLToPath(new URL('../../../apps/demo-react/', import.meta.url));
const reactToolchain = (name: string): string => installedPackage(REACT_APP, name).dir;

let cleanup: (() => Promise<void>) | undefined;
let project: PackedProject;
const sockets: FrameClient[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  if (!existsSync(join(PACKAGE_DIR, 'dist/index.js'))) {
    throw new Error('Build the packages first (pnpm build): the examples run the packed dist/');
  }
  ({ project, cleanup } = await setUpPackedProject('hmrkit-dev-server-readme-', {
    // README: `npm install --save-dev @hmrkit/dev-server webpack` (+ http-proxy-middleware for proxy).
    packages: ['@hmrkit/dev-server'],
    dependencies: {
      webpack: installed('webpack').version,
      'http-proxy-middleware': installed('http-proxy-middleware').version,
    },
    // Large or many-package installs, linked from this workspace at the versions it tests.
    links: {
      '@rspack/core': installed('@rspack/core').dir,
      react: reactToolchain('react'),
      'react-dom': reactToolchain('react-dom'),
      'react-refresh': reactToolchain('react-refresh'),
      'babel-loader': reactToolchain('babel-loader'),
      '@babel/core': reactToolchain('@babel/core'),
      '@babel/preset-react': reactToolchain('@babel/preset-react'),
      '@pmmmwh/react-refresh-webpack-plugin': reactToolchain(
        '@pmmmwh/react-refresh-webpack-plugin',
      ),
    },
  }));
}, 180_000);

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  await stopSpawned();
});

afterAll(async () => {
  await cleanup?.();
});

/** `node <file>` in the example folder; resolves with its URL once it printed `Serving on …`. */
async function serve(dir: string, file: string) {
  const base = await getFreePort();
  const started = spawnTracked(process.execPath, [file], {
    cwd: dir,
    env: { WEBPACK_DEV_SERVER_BASE_PORT: String(base), NO_COLOR: '1' },
  });
  const [, url] = (await started.printed(/Serving on (http:\S+)/)) as unknown as [string, string];
  return { started, url, port: Number(new URL(url).port) };
}

async function frames(port: number): Promise<FrameClient> {
  const socket = await connectFrames(`ws://127.0.0.1:${port}/ws`);
  sockets.push(socket);
  return socket;
}

/** Serves with the example's serve.mjs; the bundle once a ws client got the build's hash + ok. */
async function servedBundle(dir: string) {
  const { port } = await serve(dir, 'serve.mjs');
  const socket = await frames(port);
  await socket.waitForType('ok');
  expect(socket.types().slice(-2)).toEqual(['hash', 'ok']);
  const bundle = await request(port, '/main.js');
  expect(bundle.status).toBe(200);
  return bundle;
}

const SOURCE = "document.title = 'readme app 1';\n";

describe('dev-server README examples, run as written against the packed packages', () => {
  it('has the blocks this test runs', () => {
    expect([...examples.keys()].sort()).toEqual(['rspack', 'serve', 'stop']);
    expect([...files.keys()]).toEqual(['webpack.config.js']);
    expect([...configs.keys()].sort()).toEqual([
      'keepState-false',
      'react-refresh',
      'static-history-proxy',
    ]);
  });

  it('serve: prints the URL, serves main.js, a hot edit arrives as invalid/hash/ok, Ctrl-C exits 0', async () => {
    const example = await project.example({
      'serve.mjs': readmeBlock(examples, 'serve'),
      'webpack.config.js': readmeBlock(files, 'webpack.config.js'),
      'src/index.js': SOURCE,
    });
    const { started, url, port } = await serve(example.dir, 'serve.mjs');
    expect(url).toBe(`http://127.0.0.1:${port}/`);

    const socket = await frames(port);
    await socket.waitForType('ok');
    const greeting = socket.types();
    expect(greeting.slice(0, 2)).toEqual(['hot', 'liveReload']);
    expect(greeting.slice(-2)).toEqual(['hash', 'ok']);
    const bundle = await request(port, '/main.js');
    expect(bundle.status).toBe(200);
    expect(bundle.body).toContain('readme app 1');

    const firstHash = socket.frames.find((frame) => frame.type === 'hash')?.data;
    const seen = socket.frames.length;
    await example.write('src/index.js', "document.title = 'readme app 2';\n");
    await socket.waitForType('ok', 2);
    const update = socket.frames.slice(seen).map((frame) => frame.type);
    expect(update[0]).toBe('invalid');
    expect(update.slice(-2)).toEqual(['hash', 'ok']);
    const secondHash = socket.frames.slice(seen).find((frame) => frame.type === 'hash')?.data;
    expect(secondHash).toMatch(/^[0-9a-f]+$/);
    expect(secondHash).not.toBe(firstHash);
    expect((await request(port, '/main.js')).body).toContain('readme app 2');

    // Ctrl-C: the server, its sockets and the watch stop, and the process exits 0.
    expect(await started.stop('SIGINT'), started.output()).toBe(0);
    await socket.closed;
    // keepState is on by default: the records are on disk for the next start.
    expect(existsSync(join(example.dir, 'node_modules/.cache/hmrkit/0/records.json'))).toBe(true);
  }, 60_000);

  it('stop: prints "200 text/javascript; charset=utf-8" and exits by itself', async () => {
    const example = await project.example({
      'check.mjs': readmeBlock(examples, 'stop'),
      'webpack.config.js': readmeBlock(files, 'webpack.config.js'),
      'src/index.js': SOURCE,
    });
    const started = spawnTracked(process.execPath, ['check.mjs'], {
      cwd: example.dir,
      env: { WEBPACK_DEV_SERVER_BASE_PORT: String(await getFreePort()) },
    });
    // No timer or handle is left behind: node exits once stop() resolved.
    expect(await started.exited, started.output()).toBe(0);
    expect(started.output()).toContain('200 text/javascript; charset=utf-8\n');
  }, 60_000);

  it('rspack: the same program with an Rspack compiler serves main.js and sends hash/ok', async () => {
    const example = await project.example({
      'serve.mjs': readmeBlock(examples, 'rspack'),
      // The README shows no rspack.config.js here: the smallest one (the CLI README has another).
      'rspack.config.js':
        "module.exports = { mode: 'development', entry: './src/index.js', devServer: { host: '127.0.0.1' } };\n",
      'src/index.js': SOURCE,
    });
    const bundle = await servedBundle(example.dir);
    expect(bundle.body).toContain('readme app 1');
  }, 60_000);

  it('static-history-proxy: a static file, the SPA fallback and the proxy do what the comments say', async () => {
    const upstreamPort = await getFreePort();
    const upstream = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ upstream: true, url: req.url }));
    });
    servers.push(upstream);
    await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));

    const config = readmeBlock(configs, 'static-history-proxy');
    expect(config).toContain("target: 'http://127.0.0.1:3001'");
    const example = await project.example({
      'serve.mjs': readmeBlock(examples, 'serve'),
      'webpack.config.js': config.replace('127.0.0.1:3001', `127.0.0.1:${upstreamPort}`),
      'src/index.js': SOURCE,
      'public/index.html':
        '<!doctype html><title>readme spa</title><script src="/main.js"></script>\n',
      'public/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    });
    const { port } = await serve(example.dir, 'serve.mjs');

    const index = await request(port, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>readme spa</title>');
    const logo = await request(port, '/logo.svg');
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/svg+xml');

    const page = await request(port, '/settings/profile', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>readme spa</title>');
    // Not a page request (no Accept: text/html): no fallback.
    expect((await request(port, '/settings/profile')).status).toBe(404);

    const api = await request(port, '/api/users');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toEqual({ upstream: true, url: '/api/users' });
  }, 60_000);

  it('keepState-false: with the fragment in a config, stopping leaves no records on disk', async () => {
    const fragment = readmeBlock(configs, 'keepState-false');
    expect(fragment).toContain('  // ...\n');
    // The fragment's `// ...` is the rest of a config: here the README's own.
    const config = fragment.replace(
      '  // ...\n',
      "  mode: 'development',\n  entry: './src/index.js',\n",
    );
    const example = await project.example(
      {
        'serve.mjs': readmeBlock(examples, 'serve'),
        'webpack.config.js': config.replace(
          'devServer: { keepState: false }',
          "devServer: { keepState: false, host: '127.0.0.1' }",
        ),
        'src/index.js': SOURCE,
      },
      { private: true, type: 'module' },
    );
    const { started, port } = await serve(example.dir, 'serve.mjs');
    const socket = await frames(port);
    await socket.waitForType('ok');
    expect(await started.stop('SIGINT'), started.output()).toBe(0);
    expect(existsSync(join(example.dir, 'node_modules/.cache/hmrkit'))).toBe(false);
  }, 60_000);

  it('react-refresh: the config builds with Fast Refresh and the wds socket replaced, no webpack-dev-server installed', async () => {
    const config = readmeBlock(configs, 'react-refresh');
    const example = await project.example({
      'serve.mjs': readmeBlock(examples, 'serve'),
      // The README's config has no devServer section: the example's host goes in.
      'webpack.config.js': config.replace(
        'plugins: [new ReactRefreshPlugin()],',
        "plugins: [new ReactRefreshPlugin()],\n  devServer: { host: '127.0.0.1' },",
      ),
      'src/index.js': [
        "import React from 'react';",
        "import { createRoot } from 'react-dom/client';",
        'function App() {',
        '  return <h1>readme react</h1>;',
        '}',
        "createRoot(document.body.appendChild(document.createElement('div'))).render(<App />);",
        '',
      ].join('\n'),
    });
    expect(existsSync(join(project.dir, 'node_modules/webpack-dev-server'))).toBe(false);
    const bundle = await servedBundle(example.dir);
    // react-refresh/babel ran, the plugin's runtime is in, and its socket is hmrkit's.
    const app = bundle.body.slice(bundle.body.indexOf('"./src/index.js"'));
    expect(app.includes('__webpack_require__.$Refresh$.register(_c, \\"App\\")')).toBe(true);
    expect(bundle.body.includes('@hmrkit/client/dist/wdsSocket')).toBe(true);
  }, 60_000);
});
