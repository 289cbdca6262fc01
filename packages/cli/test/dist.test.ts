// The built package, run by plain Node: the bin end to end, and config loading without Vite's
// module runner in between (under vitest, import() of a .ts file would succeed through Vite).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_SOURCE,
  BIN,
  childEnv,
  createTempProject,
  PACKAGE_DIR,
  spawnServe,
  type TempProject,
} from './helpers';

const DIST = join(PACKAGE_DIR, 'dist/index.js');
const VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version;

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the package when dist is missing or older than its sources (CI builds first). */
function ensureBuilt(): void {
  const devServerDist = join(PACKAGE_DIR, '../dev-server/dist/index.js');
  if (!existsSync(devServerDist)) {
    throw new Error(`${devServerDist} is missing: build @hmrkit/dev-server first (pnpm build).`);
  }
  const sources = Math.max(
    newestSourceTime(join(PACKAGE_DIR, 'src')),
    statSync(join(PACKAGE_DIR, 'package.json')).mtimeMs,
  );
  if (existsSync(DIST) && statSync(DIST).mtimeMs >= sources) return;
  execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE_DIR, stdio: 'pipe' });
}

const runBin = (args: string[], cwd = PACKAGE_DIR) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile('node', [BIN, ...args], { cwd, env: childEnv() }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });

const projects: TempProject[] = [];
const children: ChildProcess[] = [];
const blockers: Server[] = [];

beforeAll(() => {
  ensureBuilt();
}, 120_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.all(
    blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

afterAll(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const project = async (files: Record<string, string>): Promise<TempProject> => {
  const created = await createTempProject(files);
  projects.push(created);
  return created;
};

describe('the bin: commands that end', () => {
  it('--version prints the version (exit 0)', async () => {
    expect(await runBin(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('serve --help (exit 0) lists the flags', async () => {
    const result = await runBin(['serve', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--web-socket-server <type>');
    expect(result.stdout).toContain('Exit codes:');
  });

  it('an unknown flag exits 2; no command exits 2 with the help', async () => {
    const unknown = await runBin(['serve', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown option '--bogus'");
    const none = await runBin([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: hmrkit [options] [command]');
  });

  it('a missing config exits 2 with the message, no stack', async () => {
    const result = await runBin(['serve', '--config', 'nope.mjs']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `error Config file not found: ${PACKAGE_DIR}nope.mjs (from --config nope.mjs).\n`,
    });
  });

  it('a port in use exits 1 with the message, no stack', async () => {
    const port = await getFreePort();
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const { dir } = await project({ 'src/index.js': APP_SOURCE });
    const result = await runBin(['serve', '--host', '127.0.0.1', '--port', String(port)], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error Port ${port} is already in use`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('the bin: option errors before anything is built or written', () => {
  // writeToDisk: true, so a build that ran would leave dist/main.js behind.
  it.each([
    [
      'a bad devMiddleware key',
      'devMiddleware: { writeToDisk: true, foo: 1 }',
      /^error Invalid options: devServer\.devMiddleware\.foo: unknown option/,
    ],
    [
      'a bad devMiddleware value',
      "devMiddleware: { writeToDisk: true, etag: 'weakest' }",
      /^error Invalid options: devServer\.devMiddleware\.etag: expected "weak" or "strong"/,
    ],
    [
      'a bad staticOptions key',
      "devMiddleware: { writeToDisk: true }, static: [{ directory: 'public', staticOptions: { foo: 1 } }]",
      /^error Unsupported option: devServer\.static\[0\]\.staticOptions\.foo /,
    ],
    [
      'a bad proxy entry',
      "devMiddleware: { writeToDisk: true }, proxy: [{ context: 5, target: 'http://127.0.0.1:1' }]",
      /^error Invalid options: devServer\.proxy\[0\]\.context should be/,
    ],
  ])('%s exits 2, names the option and writes no dist/', async (_name, devServer, message) => {
    const { dir } = await project({
      'src/index.js': APP_SOURCE,
      'webpack.config.js': `module.exports = { mode: 'development', entry: './src/index.js', devServer: { host: '127.0.0.1', port: 0, ${devServer} } };\n`,
    });
    const result = await runBin(['serve'], dir);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('compiled');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('config files loaded by plain Node (built package)', () => {
  it('js, cjs, mjs, "type": "module" js, ts through jiti, and the errors', async () => {
    const { dir } = await project({
      'cjs.js': 'module.exports = (env, argv) => ({ name: env.label, mode: argv.mode });',
      'array.cjs': "module.exports = [{ name: 'a' }, (env) => ({ name: 'b-' + env.label })];",
      'promise.mjs': "export default Promise.resolve({ name: 'from-promise' });",
      'esm/package.json': '{ "type": "module" }',
      'esm/webpack.config.js': "export default async (env) => ({ name: 'esm-' + env.label });",
      'typed.ts': [
        "import type { Configuration } from 'webpack';",
        'enum Port { Dev = 4123 }',
        'export default (env: { label: string }): Configuration => ({',
        "  name: 'ts-' + env.label,",
        '  devServer: { port: Port.Dev },',
        '});',
      ].join('\n'),
      'broken.mjs': 'export default {',
      'named.mjs': "export const mode = 'none';",
    });
    const script = `
      const { importConfigFile, resolveConfigExport, getExitCode } = await import(${JSON.stringify(DIST)});
      const argv = { env: { WEBPACK_SERVE: true, label: 'L' }, mode: 'development' };
      const noLoader = { findTsImporter: async () => undefined };
      const cases = [
        ['cjs.js'], ['array.cjs'], ['promise.mjs'], ['esm/webpack.config.js'], ['typed.ts'],
        ['typed.ts', noLoader], ['broken.mjs'], ['named.mjs'],
      ];
      const out = [];
      for (const [name, options] of cases) {
        const file = ${JSON.stringify(dir)} + '/' + name;
        try {
          out.push({ ok: await resolveConfigExport(await importConfigFile(file, options), argv, file) });
        } catch (error) {
          out.push({ error: error.message, exitCode: getExitCode(error) });
        }
      }
      console.log(JSON.stringify(out));
    `;
    const stdout = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
    });
    const [cjs, array, promise, esm, ts, tsNoLoader, broken, named] = JSON.parse(stdout);
    expect(cjs).toEqual({ ok: { name: 'L', mode: 'development' } });
    expect(array).toEqual({ ok: [{ name: 'a' }, { name: 'b-L' }] });
    expect(promise).toEqual({ ok: { name: 'from-promise' } });
    expect(esm).toEqual({ ok: { name: 'esm-L' } });
    expect(ts).toEqual({ ok: { name: 'ts-L', devServer: { port: 4123 } } });
    expect(tsNoLoader.exitCode).toBe(2);
    expect(tsNoLoader.error).toContain(`Cannot load ${dir}/typed.ts`);
    expect(tsNoLoader.error).toContain('npm install --save-dev jiti');
    expect(broken.exitCode).toBe(2);
    expect(broken.error).toMatch(/^Failed to load config .*broken\.mjs: Unexpected end of input/);
    expect(named).toEqual({
      error: `Config ${dir}/named.mjs has no default export (export default {...} or module.exports).`,
      exitCode: 2,
    });
  });
});

describe('hmrkit serve end to end (spawned bin)', () => {
  it('sets WEBPACK_SERVE=true in the environment before the config is loaded', async () => {
    const { dir } = await project({
      'src/index.js': APP_SOURCE,
      'webpack.config.mjs': `export default {
  mode: 'development',
  devtool: false,
  output: { filename: process.env.WEBPACK_SERVE === 'true' ? 'serve.js' : 'build.js' },
};`,
    });
    const env = childEnv();
    delete env.WEBPACK_SERVE;
    const child = spawn('node', [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const url = await waitFor(
      () => child.exitCode === null && /Local: {3}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1],
      { timeoutMs: 20_000, message: 'the URL line' },
    );
    await waitFor(() => /compiled in \d+ ms\n/.test(stdout), {
      timeoutMs: 20_000,
      message: 'a build',
    });
    expect((await fetch(`${url}serve.js`)).status).toBe(200);
    expect((await fetch(`${url}build.js`)).status).toBe(404);
  }, 40_000);

  it('prints the URL and a ✓ line, serves the page, and stops on SIGINT with exit code 0', async () => {
    const { dir } = await project({
      'src/index.js': APP_SOURCE,
      'public/index.html': '<!doctype html><script src="/main.js"></script>\n',
      'webpack.config.mjs': "export default { mode: 'development', devtool: false };",
    });
    const { child, url, exited, stdout, stderr } = await spawnServe(dir, [], children);
    // A child that dies early fails the test at once, with its stderr.
    const alive = (): true => {
      if (child.exitCode !== null) throw new Error(`hmrkit exited ${child.exitCode}: ${stderr()}`);
      return true;
    };
    await waitFor(() => alive() && /✓ compiled in \d+ ms\n/.test(stdout()), {
      timeoutMs: 20_000,
      message: 'the ✓ compiled line',
    });
    // Not a terminal: no ANSI colors. One line per build: no stats table.
    expect(stdout()).not.toContain('\u001b[');
    expect(stdout()).not.toMatch(/asset main\.js/);
    // The dev server's own URL block is replaced by ours.
    expect(stderr()).not.toContain('Project is running at');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/main.js">');
    expect(await (await fetch(`${url}main.js`)).text()).toContain('hello from hmrkit');

    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr()).toContain('SIGINT: stopping the dev server');
    expect(() => process.kill(child.pid as number, 0)).toThrow(/ESRCH/);
    await expect(fetch(url)).rejects.toThrow();
  }, 40_000);
});
