// The README's command lines and programs run as written, the way a user runs them: `npx hmrkit …`
// in a temp project that has the packed packages npm-installed (`pnpm pack`: the `files`, `bin`
// and `exports` users get). `<!-- example-sh: name -->` blocks are command lines (an
// `npm install` line is the project's install, done once), `<!-- example-config: name -->` config
// files, `<!-- example: name -->` whole programs. What the test changes: every `hmrkit serve` gets
// `--port <a free port> --host 127.0.0.1` (the README's `--port 8080` is replaced), so servers
// bind the loopback interface on a port nobody else uses.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getFreePort,
  installedPackage,
  type PackedProject,
  readmeBlock,
  readmeBlocks,
  readmeCommands,
  type Spawned,
  setUpPackedProject,
  spawnTracked,
  stopSpawned,
} from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const README_FILE = join(PACKAGE_DIR, 'README.md');
const README = readFileSync(README_FILE, 'utf8');
const shell = readmeBlocks(README_FILE, 'example-sh');
const configs = readmeBlocks(README_FILE, 'example-config');
const examples = readmeBlocks(README_FILE, 'example');

const installed = (name: string) => installedPackage(PACKAGE_DIR, name);

let cleanup: (() => Promise<void>) | undefined;
let project: PackedProject;

beforeAll(async () => {
  ({ project, cleanup } = await setUpPackedProject('hmrkit-cli-readme-', {
    // README: `npm install --save-dev @hmrkit/cli webpack` (or @rspack/core, linked: it is large).
    packages: ['@hmrkit/cli'],
    dependencies: { webpack: installed('webpack').version },
    links: { '@rspack/core': installed('@rspack/core').dir },
  }));
}, 180_000);

afterEach(async () => {
  await stopSpawned();
});

afterAll(async () => {
  await cleanup?.();
});

/**
 * A README command line (no quoting in them) as the program npx runs for it: `npx hmrkit …` is
 * the project's `node_modules/.bin/hmrkit` (found upwards from `cwd`, as Node resolves packages).
 * Run directly rather than through npx and its `sh -c`, so that Ctrl-C (SIGINT) reaches it.
 */
function command(line: string, cwd: string): [string, string[]] {
  const [npx, bin, ...args] = line.split(/\s+/);
  expect(`${npx} ${bin}`).toBe('npx hmrkit');
  for (let dir = cwd; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'node_modules/.bin/hmrkit');
    if (existsSync(path)) return [path, args];
  }
  throw new Error(`no node_modules/.bin/hmrkit above ${cwd}`);
}

/** Whether a bundle has `text` (a boolean, so that a failure does not print the bundle). */
const has = (bundle: string, text: string | RegExp): boolean =>
  typeof text === 'string' ? bundle.includes(text) : text.test(bundle);

/** The README's install lines are what the project was installed with. */
function checkInstallLine(line: string, packages: string[]): void {
  expect(line).toBe(`npm install --save-dev ${packages.join(' ')}`);
  for (const name of packages) {
    expect(realpathSync(join(project.dir, 'node_modules', name))).toBeTruthy();
  }
}

interface Serving {
  started: Spawned;
  /** The Local URL printed. */
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
}

/** Runs an `npx hmrkit serve …` line in `cwd`, with the port and host this test sets. */
async function serve(line: string, cwd: string): Promise<Serving> {
  expect(line).toMatch(/^npx hmrkit serve\b/);
  const port = await getFreePort();
  const [bin, args] = command(line.replace(/ --port \d+/, ''), cwd);
  const started = spawnTracked(bin, [...args, '--port', String(port), '--host', '127.0.0.1'], {
    cwd,
  });
  const [, url] = (await started.printed(/Local:\s+(http:\S+)/)) as unknown as [string, string];
  expect(url).toBe(`http://127.0.0.1:${port}/`);
  await started.printed(/[✓⚠✗] compiled/);
  return {
    started,
    url,
    get: async (path, headers = {}) => {
      const response = await fetch(new URL(path, url), { headers });
      return { status: response.status, body: await response.text() };
    },
  };
}

describe('cli README: command lines and programs, run against the packed packages', () => {
  it('has the blocks this test runs', () => {
    expect([...shell.keys()].sort()).toEqual(['config-flags', 'rspack', 'usage']);
    expect([...configs.keys()].sort()).toEqual(['rspack.config.js', 'webpack.config.mjs']);
    expect([...examples.keys()].sort()).toEqual(['run-cli', 'start-serve']);
  });

  it('usage: the no-config project serves public/ and the bundle, prints each build, Ctrl-C exits 0', async () => {
    const lines = readmeCommands(readmeBlock(shell, 'usage'));
    const last = lines.pop() as string;
    expect(last).toBe('npx hmrkit serve --port 8080');
    const install = lines.findIndex((line) => line.startsWith('npm install'));
    checkInstallLine(lines[install] as string, ['@hmrkit/cli', 'webpack']);
    // The install is the project's: the folder the script makes links to its node_modules.
    lines[install] = `ln -s ${join(project.dir, 'node_modules')} node_modules`;
    const setup = spawnTracked('bash', ['-e', '-c', [...lines, 'pwd'].join('\n')], {
      cwd: (await project.example({})).dir,
    });
    expect(await setup.exited, setup.output()).toBe(0);
    const demo = setup.output().trim().split('\n').pop() as string;
    expect(demo).toMatch(/\/demo$/);

    const { started, get } = await serve(last, demo);
    expect(started.output()).toMatch(/Static:\s+\S+\/demo\/public\n/);
    expect(started.output()).toMatch(/✓ compiled in \d+ ms/);
    expect(await get('/')).toEqual({
      status: 200,
      body: '<!doctype html><script src="/main.js"></script>\n',
    });
    const bundle = await get('/main.js');
    expect(bundle.status).toBe(200);
    expect(has(bundle.body, "document.body.textContent = 'hello';")).toBe(true);

    // A broken import, then the fix: one line per build, webpack's error without a stack.
    let from = started.output().length;
    // As the README says: `npm init -y` makes a CommonJS package (npm 10: "type": "commonjs").
    await writeFile(join(demo, 'src/index.js'), "require('./nope');\n");
    const error = await started.printed(
      /✗ compiled with 1 error in \d+ ms\n([^\n]*\n[^\n]*)\n/,
      from,
    );
    expect(error[1]).toBe(
      `ERROR in ./src/index.js 1:0-17\nModule not found: Error: Can't resolve './nope' in '${demo}/src'`,
    );
    from = started.output().length;
    await writeFile(join(demo, 'src/index.js'), "document.body.textContent = 'hello';\n");
    await started.printed(/✓ compiled in \d+ ms\n/, from);

    expect(await started.stop('SIGINT'), started.output()).toBe(0);
  }, 60_000);

  it('config-flags: --env and --hot only reach the function config; an entry replaces the config entry', async () => {
    const [withEnv, withEntry, ...rest] = readmeCommands(readmeBlock(shell, 'config-flags'));
    expect(rest).toEqual([]);
    const example = await project.example({
      'webpack.config.mjs': readmeBlock(configs, 'webpack.config.mjs'),
      'src/main.js': "document.title = 'main entry';\n",
      'src/other.js': "document.title = 'other entry';\n",
    });

    expect(withEnv).toBe('npx hmrkit serve --env base=/app/ --hot only');
    const first = await serve(withEnv as string, example.dir);
    // mode came from argv.mode (no "mode not set" warning), the bundle from ./src/main.js.
    expect(first.started.output()).toMatch(/✓ compiled in \d+ ms/);
    const moved = await first.get('/app/main.js');
    expect(moved.status).toBe(200);
    expect(has(moved.body, "document.title = 'main entry';")).toBe(true);
    // --hot only: the runtime never reloads; the config's overlay setting reached the client.
    expect(has(moved.body, '@hmrkit/runtime/dist/index.js?mode=only')).toBe(true);
    const overlay = encodeURIComponent(JSON.stringify({ errors: true, warnings: false }));
    expect(has(moved.body, `&overlay=${overlay}&`)).toBe(true);
    expect((await first.get('/main.js')).status).toBe(404);
    expect(await first.started.stop('SIGINT')).toBe(0);

    expect(withEntry).toBe('npx hmrkit serve ./src/other.js --no-hot');
    const second = await serve(withEntry as string, example.dir);
    const other = await second.get('/main.js');
    expect(other.status).toBe(200);
    expect(has(other.body, "document.title = 'other entry';")).toBe(true);
    expect(has(other.body, 'main entry')).toBe(false);
    // --no-hot: no hot runtime in the bundle.
    expect(has(other.body, '@hmrkit/runtime')).toBe(false);
    expect(await second.started.stop('SIGINT')).toBe(0);
  }, 60_000);

  it('rspack: each command line builds the README config with Rspack and serves its page', async () => {
    const lines = readmeCommands(readmeBlock(shell, 'rspack'));
    checkInstallLine(lines.shift() as string, ['@hmrkit/cli', '@rspack/core']);
    expect(lines).toEqual([
      'npx hmrkit serve --config rspack.config.js',
      'npx hmrkit serve --compiler rspack --config dev.config.js',
    ]);
    // The first line's comment: a bare `npx hmrkit serve` finds rspack.config.js too.
    expect(readmeBlock(shell, 'rspack')).toContain('# or just `npx hmrkit serve`');
    const config = readmeBlock(configs, 'rspack.config.js');
    const example = await project.example({
      'rspack.config.js': config,
      'dev.config.js': config,
      'src/index.js': "document.body.textContent = 'hello from rspack';\n",
    });
    for (const line of [...lines, 'npx hmrkit serve']) {
      const { started, get } = await serve(line, example.dir);
      expect(started.output(), line).toMatch(/✓ compiled in \d+ ms/);
      const page = await get('/', { accept: 'text/html' });
      expect(page.status, line).toBe(200);
      // HtmlRspackPlugin's page loads the bundle.
      expect(page.body, line).toMatch(/<script[^>]* src="\/?main\.js"/);
      expect(has((await get('/main.js')).body, 'hello from rspack'), line).toBe(true);
      expect(await started.stop('SIGINT'), line).toBe(0);
    }
  }, 90_000);

  it('--help lists every flag of the Flags table, --version prints the version (exit 0)', async () => {
    const table = README.slice(README.indexOf('## Flags'), README.indexOf('## Exit codes'));
    const flags = new Set<string>();
    for (const row of table.split('\n').filter((line) => line.startsWith('| `'))) {
      const first = row.split('|')[1] as string;
      for (const [flag] of first.matchAll(/--?[a-z][\w-]*/g)) flags.add(flag);
    }
    expect(flags.size).toBeGreaterThan(25);
    const cwd = (await project.example({})).dir;
    // `serve`'s flags, and -v/--version which is the program's.
    const help = spawnTracked(...command('npx hmrkit serve --help', cwd), { cwd });
    expect(await help.exited).toBe(0);
    const top = spawnTracked(...command('npx hmrkit --help', cwd), { cwd });
    expect(await top.exited).toBe(0);
    const text = help.output() + top.output();
    const missing = [...flags].filter((flag) => !new RegExp(`${flag}\\b`).test(text));
    expect(missing).toEqual([]);

    const version = spawnTracked(...command('npx hmrkit --version', cwd), { cwd });
    expect(await version.exited).toBe(0);
    expect(version.output()).toBe(
      `${JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version}\n`,
    );
  }, 60_000);

  it('exit codes: 2 for a usage error, 1 for a port in use', async () => {
    const cwd = (await project.example({ 'src/index.js': "document.title = 'x';\n" })).dir;
    const unknown = spawnTracked(...command('npx hmrkit serve --bogus', cwd), { cwd });
    expect(await unknown.exited).toBe(2);
    const first = await serve('npx hmrkit serve', cwd);
    const port = new URL(first.url).port;
    const busy = spawnTracked(...command(`npx hmrkit serve --port ${port} --host 127.0.0.1`, cwd), {
      cwd,
    });
    expect(await busy.exited).toBe(1);
    expect(busy.output()).toContain(`Port ${port} is already in use`);
  }, 60_000);

  it('run-cli: the program is `hmrkit serve`, flags passed on; Ctrl-C exits 0', async () => {
    const example = await project.example(
      {
        'serve.mjs': readmeBlock(examples, 'run-cli'),
        'src/index.js': "document.title = 'run-cli';\n",
      },
      { private: true, type: 'module' },
    );
    const port = await getFreePort();
    const started = spawnTracked(
      process.execPath,
      ['serve.mjs', '--port', String(port), '--host', '127.0.0.1'],
      { cwd: example.dir },
    );
    await started.printed(new RegExp(`Local:\\s+http://127\\.0\\.0\\.1:${port}/`));
    await started.printed(/✓ compiled in \d+ ms/);
    const response = await fetch(`http://127.0.0.1:${port}/main.js`);
    expect(response.status).toBe(200);
    expect(has(await response.text(), "document.title = 'run-cli';")).toBe(true);
    expect(await started.stop('SIGINT'), started.output()).toBe(0);
  }, 60_000);

  it('start-serve: prints the URL, 200 and 0, and exits by itself', async () => {
    const example = await project.example(
      {
        'check.mjs': readmeBlock(examples, 'start-serve'),
        'src/index.js': "document.title = 'start-serve';\n",
      },
      { private: true, type: 'module' },
    );
    const started = spawnTracked(process.execPath, ['check.mjs'], { cwd: example.dir });
    expect(await started.exited, started.output()).toBe(0);
    const lines = started.output().split('\n');
    const url = lines.findIndex((line) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(line));
    expect(url, started.output()).toBeGreaterThanOrEqual(0);
    expect(lines.slice(url + 1).filter((line) => /^\d+$/.test(line))).toEqual(['200', '0']);
  }, 60_000);
});
