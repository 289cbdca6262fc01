import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_SOURCE, createTempProject, createTestIo, type TempProject } from '../test/helpers';
import { runCli, VERSION } from './cli';
import { type ServeHandle, startServe } from './serve';

const projects: TempProject[] = [];
const handles: ServeHandle[] = [];
const blockers: Server[] = [];

const project = async (files: Record<string, string>): Promise<TempProject> => {
  const created = await createTempProject(files);
  projects.push(created);
  return created;
};

afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  await Promise.all(
    blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const INDEX_HTML = '<!doctype html><title>t</title><script src="/main.js"></script>\n';

const webProject = (config: string, extra: Record<string, string> = {}) =>
  project({
    'src/index.js': APP_SOURCE,
    'public/index.html': INDEX_HTML,
    'webpack.config.cjs': config,
    ...extra,
  });

/** runCli for a command that ends by itself. */
const run = async (argv: string[], cwd = process.cwd()) => {
  const io = createTestIo(cwd);
  const code = await runCli(argv, { ...io, signals: false });
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
};

/** runCli serve: resolves once listening, with the handle and the pending exit code. */
const serve = async (argv: string[], cwd: string, env: Record<string, string> = {}) => {
  const io = createTestIo(cwd, env);
  let handle: ServeHandle | undefined;
  const exit = runCli(['serve', '--host', '127.0.0.1', ...argv], {
    ...io,
    signals: false,
    onListening: (h) => {
      handle = h;
      handles.push(h);
    },
  });
  const listening = await Promise.race([
    waitFor(() => handle, { timeoutMs: 15_000, message: 'the server to listen' }),
    exit.then((code) => {
      throw new Error(`runCli ended with ${code}: ${io.stderr.text}`);
    }),
  ]);
  return { handle: listening, exit, io };
};

describe('commands that end at once', () => {
  it('--version prints the package version (exit 0)', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('serve --help prints help to stdout (exit 0)', async () => {
    const result = await run(['serve', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: hmrkit serve \[options\] \[entries\.\.\.\]/);
  });

  it('an unknown flag exits 2 with a suggestion', async () => {
    const result = await run(['serve', '--hto']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/unknown option '--hto'\n\(Did you mean --hot\?\)/);
  });
});

describe('config errors exit 2 with the message only', () => {
  it('a missing --config', async () => {
    const { dir } = await project({});
    const result = await run(['serve', '--config', 'missing.js'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error Config file not found: ${dir}/missing.js (from --config missing.js).\n`,
    );
  });

  it('--debug adds the stack', async () => {
    const { dir } = await project({});
    const result = await run(['serve', '--config', 'missing.js', '--debug'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error CliError: Config file not found: .*\n\s+at /);
  });

  it('a config that throws', async () => {
    const { dir } = await webProject("throw new Error('no such env');");
    const result = await run(['serve'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error Failed to load config ${dir}/webpack.config.cjs: no such env\n`,
    );
  });

  it('a function config that throws, with its message', async () => {
    const { dir } = await webProject(
      "module.exports = (env) => { if (!env.target) throw new Error('pass --env target=...'); };",
    );
    const result = await run(['serve'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error Failed to load config ${dir}/webpack.config.cjs: pass --env target=...\n`,
    );
  });

  it("webpack's config validation", async () => {
    const { dir } = await webProject("module.exports = { mode: 'fast' };");
    const result = await run(['serve'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error Invalid configuration object\. .*\n - configuration\.mode/,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    ['UNKNOWN_OPTION', '{ bogus: 1 }', /^error Unknown option: devServer\.bogus\./],
    ['UNSUPPORTED_OPTION', '{ bonjour: true }', /^error Unsupported option: devServer\.bonjour/],
    ['INVALID_OPTION', "{ hot: 'sometimes' }", /^error Invalid options: devServer\.hot/],
  ])('DevServerError %s', async (_code, devServer, message) => {
    const { dir } = await webProject(`module.exports = { devServer: ${devServer} };`);
    const result = await run(['serve', '--port', '0'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('runtime errors exit 1', () => {
  it('the port is in use', async () => {
    const port = await getFreePort();
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const { dir } = await webProject('module.exports = {};');
    const result = await run(['serve', '--host', '127.0.0.1', '--port', String(port)], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error Port ${port} is already in use`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('serve (in process)', () => {
  it('prints the URL, one line per build with errors, serves the bundle, stops with 0', async () => {
    const { dir, write } = await webProject('module.exports = { devtool: false };');
    const { handle, exit, io } = await serve(['--port', '0'], dir);
    const url = handle.urls.local;
    expect(handle.urls).toEqual(handle.devServer.getUrls());
    expect(url).toBe(`http://127.0.0.1:${handle.devServer.options.port}/`);
    await waitFor(() => /✓ compiled in \d+ ms\n/.test(io.stdout.text), { message: '✓ line' });
    expect(io.stdout.text).toMatch(
      new RegExp(`hmrkit dev server running\n\n {2}➜ {2}Local: {3}${url}\n`),
    );
    expect(io.stdout.text).toContain(`Static:  ${dir}/public`);
    // The middleware's full stats print is off: no asset table.
    expect(io.stdout.text).not.toMatch(/asset main\.js/);

    const base = `http://127.0.0.1:${handle.devServer.options.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX_HTML);
    const bundle = await (await fetch(`${base}/main.js`)).text();
    expect(bundle).toContain('hello from hmrkit');

    await write('src/index.js', "import './nope';\n");
    await waitFor(() => /✗ compiled with 1 error in \d+ ms\n/.test(io.stdout.text), {
      message: '✗ line',
    });
    expect(io.stdout.text).toContain("Module not found: Error: Can't resolve './nope'");
    await write('src/index.js', APP_SOURCE);
    await waitFor(() => io.stdout.text.match(/✓ compiled in/g)?.length === 2, {
      message: 'second ✓ line',
    });

    await handle.close();
    expect(await exit).toBe(0);
    await expect(fetch(`${base}/`)).rejects.toThrow();
  });

  it('flags win over the config devServer; --env reaches a function config', async () => {
    const [configPort, flagPort] = [await getFreePort(), await getFreePort()];
    const { dir } = await webProject(
      `module.exports = (env, argv) => ({
        name: env.label,
        mode: argv.mode,
        devServer: { port: ${configPort}, hot: true, liveReload: true, client: { logging: 'warn' } },
      });`,
    );
    const { handle, io } = await serve(
      [
        '--port',
        String(flagPort),
        '--no-hot',
        '--no-live-reload',
        '--env',
        'label=from-env',
        '--mode',
        'none',
      ],
      dir,
    );
    expect(handle.devServer.options).toMatchObject({
      port: flagPort,
      hot: false,
      liveReload: false,
    });
    expect(handle.options.client).toEqual({ logging: 'warn' });
    expect(handle.configs[0]).toMatchObject({ name: 'from-env', mode: 'none' });
    await waitFor(() => io.stdout.text.includes('✓ compiled'), { message: '✓ line' });
  });

  it('an array config is a MultiCompiler: one line per build for all configs', async () => {
    const { dir } = await webProject(
      `module.exports = [
        { name: 'a', entry: './src/index.js', output: { filename: 'a.js' } },
        Promise.resolve({ name: 'b', entry: './src/index.js', output: { filename: 'b.js' } }),
      ];`,
    );
    const { handle, io } = await serve(['--port', '0', '--no-hot'], dir);
    expect('compilers' in handle.compiler).toBe(true);
    await waitFor(() => /✓ compiled 2 configs in \d+ ms\n/.test(io.stdout.text), {
      message: 'multi ✓ line',
    });
    const base = `http://127.0.0.1:${handle.devServer.options.port}`;
    expect(await (await fetch(`${base}/a.js`)).text()).toContain('hello from hmrkit');
    expect(await (await fetch(`${base}/b.js`)).text()).toContain('hello from hmrkit');
  });

  it('positional entries replace the config entry', async () => {
    const { dir } = await webProject("module.exports = { entry: './src/missing.js' };", {
      'src/other.js': "console.log('other entry');\n",
    });
    const { handle, io } = await serve(['./src/other.js', '--port', '0'], dir);
    await waitFor(() => io.stdout.text.includes('✓ compiled'), { message: '✓ line' });
    const base = `http://127.0.0.1:${handle.devServer.options.port}`;
    expect(await (await fetch(`${base}/main.js`)).text()).toContain('other entry');
  });

  it('a user stats setting keeps the middleware print; the status line stays', async () => {
    const { dir } = await webProject("module.exports = { stats: 'errors-only' };");
    const { handle, io } = await serve(['--port', '0'], dir);
    expect(handle.options.devMiddleware).toBeUndefined();
    await waitFor(() => io.stdout.text.includes('✓ compiled'), { message: '✓ line' });
  });

  it('startServe: the programmatic handle (no signal handlers)', async () => {
    const { dir } = await webProject('module.exports = {};');
    const io = createTestIo(dir);
    const handle = await startServe({ port: 0, host: '127.0.0.1', hot: 'only' }, io);
    handles.push(handle);
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect(handle.devServer.options.hot).toBe('only');
    expect(handle.config).toBe(`${dir}/webpack.config.cjs`);
    await waitFor(() => io.stdout.text.includes('✓ compiled'), { message: '✓ line' });
    expect((await fetch(`${handle.urls.local}main.js`)).status).toBe(200);
    await Promise.all([handle.close(), handle.close()]);
    expect(await handle.closed).toBe(0);
  });

  it('the first SIGINT stops cleanly (0), a second one forces exit(1)', async () => {
    const { dir } = await webProject('module.exports = {};');
    const io = createTestIo(dir);
    const forced = vi.fn();
    let handle: ServeHandle | undefined;
    const exit = runCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      ...io,
      exit: forced,
      onListening: (h) => {
        handle = h;
      },
    });
    await waitFor(() => handle, { message: 'listening' });
    expect(process.listenerCount('SIGINT')).toBe(1);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    expect(forced).toHaveBeenCalledWith(1);
    expect(await exit).toBe(0);
    expect(io.stderr.text).toContain('SIGINT: stopping the dev server');
    expect(io.stderr.text).toContain('SIGINT again: exiting');
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('SIGTERM stops cleanly too', async () => {
    const { dir } = await webProject('module.exports = {};');
    const io = createTestIo(dir);
    let handle: ServeHandle | undefined;
    const exit = runCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      ...io,
      onListening: (h) => {
        handle = h;
      },
    });
    await waitFor(() => handle, { message: 'listening' });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
  });
});
