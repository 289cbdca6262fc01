import { gunzipSync } from 'node:zlib';
import { PROBLEM_FIELDS } from '@hmrkit/protocol';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { describe, expect, it, vi } from 'vitest';
import webpack from 'webpack';
import { DevServer, DevServerError } from '../src/index';
import {
  connectFrames,
  createCompiler,
  createProject,
  type DevServers,
  type FrameClient,
  type Project,
  request,
  useDevServers,
  watcherSettled,
} from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
const servers = useDevServers(() => [server, project]);

const start: DevServers['start'] = async (...args) => {
  const started = await servers.start(...args);
  ({ server, project } = started);
  return started;
};

const frames = (port: number, path = '/ws'): Promise<FrameClient> =>
  servers.frames(`ws://127.0.0.1:${port}${path}`);

describe('DevServer: frames', () => {
  it('greets a client as webpack-dev-server 5 does, then hash + ok of the last build', async () => {
    const { port } = await start();
    await server?.middleware?.ready();
    await watcherSettled(server!.compiler);
    const client = await frames(port);
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);
    expect(client.frames[2]).toEqual({ type: 'reconnect', data: 10 });
    expect(client.frames[3]).toEqual({ type: 'overlay', data: true });
    expect(client.frames[4]?.data).toBe(server?.stats?.hash);
  });

  it('sends invalid → hash → ok after an edit, and errors with the whitelist only', async () => {
    const { port, project } = await start();
    await server?.middleware?.ready();
    const client = await frames(port);
    await client.waitForType('ok');
    await watcherSettled(server!.compiler);
    client.frames.length = 0;
    project.write('src/index.js', "document.title = 'v2';\n");
    await client.waitForType('ok');
    expect(client.types()).toEqual(['invalid', 'hash', 'ok']);

    await watcherSettled(server!.compiler);
    client.frames.length = 0;
    project.write('src/index.js', 'document.title = ;\n');
    await client.waitForType('errors');
    expect(client.types()).toEqual(['invalid', 'hash', 'errors']);
    const [problem] = (client.frames[2]?.data ?? []) as Array<Record<string, unknown>>;
    expect(problem?.message).toMatch(/Unexpected token/);
    for (const key of Object.keys(problem ?? {})) expect(PROBLEM_FIELDS).toContain(key);
  });

  it('sends the frames before done taps registered earlier (a CLI status line, stats printing)', async () => {
    project = await createProject();
    const compiler = createCompiler(project.dir);
    const seenByEarlierTap: boolean[] = [];
    let devServer: DevServer | undefined;
    compiler.hooks.done.tap('earlier', (stats) => {
      seenByEarlierTap.push(devServer?.stats === stats);
    });
    devServer = new DevServer(
      { host: '127.0.0.1', port: await getFreePort(), static: false, setupExitSignals: false },
      compiler,
    );
    server = devServer;
    await devServer.start();
    await devServer.middleware?.ready();
    expect(seenByEarlierTap).toEqual([true]);
  });

  it('reports progress-update frames when client.progress is set', async () => {
    const { port, project } = await start({ client: { progress: true } });
    await server?.middleware?.ready();
    const client = await frames(port);
    await client.waitForType('ok');
    expect(client.types().slice(0, 3)).toEqual(['hot', 'liveReload', 'progress']);
    await watcherSettled(server!.compiler);
    client.frames.length = 0;
    project.write('src/index.js', "document.title = 'v3';\n");
    await client.waitForType('ok');
    const updates = client.frames.filter((frame) => frame.type === 'progress-update');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.at(-1)?.data).toMatchObject({ percent: 100, msg: 'Compilation completed' });
    expect(client.types().indexOf('invalid')).toBeLessThan(client.types().indexOf('hash'));
  });

  it('sendMessage broadcasts a raw frame', async () => {
    const { port } = await start();
    const client = await frames(port);
    // Through the socket server's broadcast (its slow-client guard), not straight to sockets.
    const broadcast = vi.spyOn(server!.socketServer!, 'broadcast');
    server?.sendMessage('static-changed', '/x.html');
    await client.waitForType('static-changed');
    expect(client.frames.find((f) => f.type === 'static-changed')?.data).toBe('/x.html');
    expect(broadcast).toHaveBeenCalledWith({
      type: 'static-changed',
      data: '/x.html',
      params: undefined,
    });
  });
});

describe('DevServer: compiler setup', () => {
  it('injects the client (with its query) and the runtime into the bundle, and HMR', async () => {
    const { port } = await start();
    await server?.middleware?.ready();
    const bundle = await request(port, '/main.js');
    expect(bundle.status).toBe(200);
    expect(bundle.body).toContain(
      `?protocol=ws%3A&hostname=127.0.0.1&port=${port}&pathname=%2Fws&logging=none&overlay=true&reconnect=10&hot=true&live-reload=true`,
    );
    // The runtime entry, with the client's log level (webpack's infrastructureLogging here).
    expect(bundle.body).toMatch(/runtime\/dist\/index\.js\?logging=none/);
    expect(bundle.body).toContain('__webpack_require__.hmrF');
    const compiler = server?.compiler as webpack.Compiler;
    expect(compiler.options.optimization.emitOnErrors).toBe(false);
    // The test config sets aggregateTimeout; it is kept.
    expect(compiler.options.watchOptions.aggregateTimeout).toBe(10);
  });

  it('waits 5 ms (not 20 as webpack does) for more changes unless the config says otherwise', async () => {
    project = await createProject();
    const compiler = createCompiler(project.dir, { watchOptions: {} });
    server = new DevServer(
      { host: '127.0.0.1', port: await getFreePort(), static: false, setupExitSignals: false },
      compiler,
    );
    await server.start();
    expect(compiler.options.watchOptions.aggregateTimeout).toBe(5);
    expect(compiler.watching?.watchOptions.aggregateTimeout).toBe(5);
  });

  it('leaves emitOnErrors alone with emitOnErrors: true, and adds no HMR with hot: false', async () => {
    const { port } = await start({ hot: false, emitOnErrors: true });
    await server?.middleware?.ready();
    const bundle = await request(port, '/main.js');
    expect(bundle.body).not.toContain('__webpack_require__.hmrF');
    expect(bundle.body).toContain('hot=false');
    const compiler = server?.compiler as webpack.Compiler;
    expect(compiler.options.optimization.emitOnErrors).toBe(true);
  });

  it('warns once and does not add a second HotModuleReplacementPlugin', async () => {
    project = await createProject();
    const compiler = createCompiler(project.dir, {
      plugins: [new webpack.HotModuleReplacementPlugin()],
      infrastructureLogging: { level: 'warn' },
    });
    const warnings: string[] = [];
    compiler.hooks.infrastructureLog.tap('test', (origin, type, args) => {
      if (origin === 'hmrkit-dev-server' && type === 'warn') warnings.push(String(args?.[0]));
      return true;
    });
    server = new DevServer(
      { host: '127.0.0.1', port: 0, static: false, setupExitSignals: false },
      compiler,
    );
    await server.start();
    const stats = await server.middleware?.ready();
    expect(stats?.hasErrors()).toBe(false);
    expect(warnings.filter((w) => w.includes('HotModuleReplacementPlugin'))).toHaveLength(1);
  });

  it('skips the client for node targets and concatenates hashes for a MultiCompiler', async () => {
    project = await createProject({ 'src/server.js': 'module.exports = 1;\n' });
    const dir = project.dir;
    const multi = webpack([
      {
        name: 'web',
        mode: 'development',
        context: dir,
        entry: './src/index.js',
        devtool: false,
        infrastructureLogging: { level: 'none' },
        output: { path: `${dir}/dist/web`, publicPath: '/' },
      },
      {
        name: 'node',
        target: 'node',
        mode: 'development',
        context: dir,
        entry: './src/server.js',
        devtool: false,
        infrastructureLogging: { level: 'none' },
        output: { path: `${dir}/dist/node`, publicPath: '/server/' },
      },
    ]);
    server = new DevServer(
      { host: '127.0.0.1', port: 0, static: false, setupExitSignals: false },
      multi,
    );
    await server.start();
    await server.middleware?.ready();
    const port = server.options.port as number;
    const web = await request(port, '/main.js');
    expect(web.body).toContain('live-reload=true');
    const node = await request(port, '/server/main.js');
    expect(node.status).toBe(200);
    expect(node.body).not.toContain('live-reload=true');
    const client = await frames(port);
    await client.waitForType('hash');
    const [webStats, nodeStats] = (server.stats as webpack.MultiStats).stats;
    expect(client.frames.find((f) => f.type === 'hash')?.data).toBe(
      `${webStats?.hash}${nodeStats?.hash}`,
    );
  });
});

describe('DevServer: HTTP', () => {
  it('answers 403 "Invalid Host header" to a foreign Host and refuses a foreign Origin socket', async () => {
    const { port } = await start();
    const bad = await request(port, '/main.js', { host: 'evil.example' });
    expect(bad.status).toBe(403);
    expect(bad.body).toBe('Invalid Host header');
    const client = await connectFrames(`ws://127.0.0.1:${port}/ws`, {
      origin: 'http://evil.example',
    });
    servers.defer(() => client.close());
    await client.closed;
    expect(client.frames).toEqual([{ type: 'error', data: 'Invalid Host/Origin header' }]);
  });

  it('blocks cross-site no-cors requests and sets CORP same-origin otherwise', async () => {
    const { port } = await start();
    await server?.middleware?.ready();
    const blocked = await request(port, '/main.js', {
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-site': 'cross-site',
    });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toBe('Cross-Origin request blocked');
    const ok = await request(port, '/main.js');
    expect(ok.status).toBe(200);
    expect(ok.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('sets headers, compresses, answers OPTIONS with 204 and unknown paths with 404', async () => {
    const { port } = await start({ headers: { 'X-Custom': 'yes' } });
    await server?.middleware?.ready();
    const gz = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        import('node:http').then(({ get }) => {
          get(
            {
              host: '127.0.0.1',
              port,
              path: '/main.js',
              headers: { host: `localhost:${port}`, 'accept-encoding': 'gzip' },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
            },
          ).on('error', reject);
        }, reject);
      },
    );
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['x-custom']).toBe('yes');
    expect(gunzipSync(gz.body).toString()).toContain('hmrkit');
    const options = await request(port, '/anything', {}, 'OPTIONS');
    expect(options.status).toBe(204);
    const missing = await request(port, '/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('Cannot GET /nope.js');
  });

  it('serves static folders, watches them (static-changed) and falls back for history routes', async () => {
    project = await createProject({
      'public/index.html': '<!doctype html><title>static</title>',
      'public/about.txt': 'about',
    });
    const dir = project.dir;
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: 0,
        static: { directory: `${dir}/public`, publicPath: '/assets' },
        historyApiFallback: { index: '/assets/index.html' },
        setupExitSignals: false,
      },
      createCompiler(dir),
    );
    await server.start();
    await server.middleware?.ready();
    const port = server.options.port as number;
    expect((await request(port, '/assets/about.txt')).body).toBe('about');
    const listing = await request(port, '/assets/', {});
    expect(listing.body).toContain('<title>static</title>');
    const fallback = await request(port, '/some/route', { accept: 'text/html' });
    expect(fallback.status).toBe(200);
    expect(fallback.body).toContain('<title>static</title>');

    const client = await frames(port);
    await client.waitForType('ok');
    // start() resolved after the static watcher's first scan: this edit is reported.
    project.write('public/about.txt', 'changed');
    await client.waitForType('static-changed');
    expect(client.frames.find((f) => f.type === 'static-changed')?.data).toBe(
      `${dir}/public/about.txt`,
    );
  });

  it('guards /webpack-dev-server/invalidate with Sec-Fetch-Site and rebuilds on it', async () => {
    const { port } = await start();
    await server?.middleware?.ready();
    const client = await frames(port);
    await client.waitForType('ok');
    const refused = await request(port, '/webpack-dev-server/invalidate', {
      'sec-fetch-site': 'cross-site',
    });
    expect(refused.status).toBe(403);
    const accepted = await request(port, '/webpack-dev-server/invalidate', {
      'sec-fetch-site': 'same-origin',
    });
    expect(accepted.status).toBe(200);
    await client.waitForType('invalid');
    await client.waitForType('still-ok');
  });

  it('runs setupMiddlewares with the named list, so users can add and reorder', async () => {
    const { port } = await start({
      setupMiddlewares: (middlewares) => {
        const names = (middlewares as Array<{ name: string }>).map((m) => m.name);
        return [
          {
            name: 'names',
            path: '/names',
            middleware: (_req: unknown, res: { end(body: string): void }) =>
              res.end(names.join(',')),
          },
          ...middlewares,
        ];
      },
    });
    const response = await request(port, '/names');
    expect(response.body.split(',')).toEqual([
      'host-header-check',
      'compression',
      'webpack-dev-middleware',
      'webpack-dev-server-invalidate',
      'webpack-dev-server-open-editor',
      'webpack-dev-server-assets',
    ]);
  });
});

describe('DevServer: setupMiddlewares as webpack-dev-server documents it', () => {
  it('runs devServer.app routes and express-style res.send middlewares, behind the Host check', async () => {
    const { port } = await start({
      setupMiddlewares: (middlewares, devServer) => {
        const app = (devServer as DevServer).app;
        app.get('/setup-middleware/some/path', (_req, res) => {
          res.send('setup-middlewares option GET');
        });
        app.post('/api/users/:id', (req, res) => {
          res.status(201).json({ id: req.params.id });
        });
        middlewares.unshift({
          name: 'first-in-array',
          path: '/foo/path',
          middleware: (_req: unknown, res: { send(body: string): void }) => res.send('Foo!'),
        });
        middlewares.push({
          name: 'hello-world-test-one',
          middleware: (_req: unknown, res: { send(body: string): void }) => res.send('Foo Bar!'),
        });
        return middlewares;
      },
    });
    const get = await request(port, '/setup-middleware/some/path');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(get.body).toBe('setup-middlewares option GET');
    const post = await request(port, '/api/users/42', {}, 'POST');
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body)).toEqual({ id: '42' });
    expect((await request(port, '/foo/path')).body).toBe('Foo!');
    expect((await request(port, '/anything-else')).body).toBe('Foo Bar!');
    // The routes are not a way around the Host check.
    const foreign = await request(port, '/setup-middleware/some/path', { host: 'evil.example' });
    expect(foreign.status).toBe(403);
  });
});

describe('DevServer: lifecycle', () => {
  it('stop() releases the port, the sockets and the watch; start again works', async () => {
    const { port, project } = await start();
    await server?.middleware?.ready();
    const client = await frames(port);
    await client.waitForType('ok');
    await server?.stop();
    await client.closed;
    await expect(request(port, '/main.js')).rejects.toThrow();
    const again = new DevServer(
      { host: '127.0.0.1', port, static: false, setupExitSignals: false },
      createCompiler(project.dir),
    );
    server = again;
    await again.start();
    await again.middleware?.ready();
    expect((await request(port, '/main.js')).status).toBe(200);
  });

  it('rejects a busy port with PORT_IN_USE and leaves nothing running', async () => {
    const { port, project } = await start();
    const second = new DevServer(
      { host: '127.0.0.1', port, static: false, setupExitSignals: false },
      createCompiler(project.dir),
    );
    await expect(second.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    await second.stop();
  });

  it('throws a DevServerError naming an unknown or wrong option at construction', async () => {
    project = await createProject();
    const compiler = createCompiler(project.dir);
    expect(() => new DevServer({ hot: 'yes' } as never, compiler)).toThrow(
      /devServer\.hot should be a boolean or "only"/,
    );
    expect(() => new DevServer({ bonjour: true } as never, compiler)).toThrow(DevServerError);
    expect(() => new DevServer({}, {} as never)).toThrow(/webpack or Rspack Compiler/);
  });

  it('waits for the build in getUrls()-style startup: urls point at the listening port', async () => {
    const { port } = await start();
    expect(server?.getUrls().local).toBe(`http://127.0.0.1:${port}/`);
    await waitFor(() => server?.stats, { timeoutMs: 20_000 });
  });
});
