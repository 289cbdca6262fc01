// The entries as the README writes them, resolved by webpack through this
// package's exports map (the project links the package into node_modules, as
// npm would): `@hmrkit/runtime/poll?200` and `@hmrkit/runtime/signal?SIGHUP`
// in Node bundles that really hot-update, and `@hmrkit/runtime?mode=only` in a
// web bundle. webpack matches the query against the exports map, so without
// the `./poll?*`-style keys these fail with `"./poll?200" is not exported`.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinkedProject, waitFor } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import webpack, { type Configuration, type Stats } from 'webpack';

type Project = Awaited<ReturnType<typeof createLinkedProject>>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files: Record<string, string>): Promise<Project> {
  const created = await createLinkedProject(['runtime', 'hot-emitter'], files);
  cleanups.push(created.cleanup);
  return created;
}

function build(config: Configuration): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close(() => (error || !stats ? reject(error) : resolve(stats)));
    });
  });
}

const errorsOf = (stats: Stats): string[] =>
  (stats.toJson({ all: false, errors: true }).errors ?? []).map((e) => e.message);

// A Node app: prints the value of ./value.js, and again after each hot update of it.
const NODE_APP = {
  'src/value.js': 'module.exports = 1;\n',
  'src/index.js': [
    "let value = require('./value');",
    "console.log('value ' + value);",
    'if (module.hot) {',
    "  module.hot.accept('./value', () => {",
    "    value = require('./value');",
    "    console.log('value ' + value);",
    '  });',
    '}',
    // Stays up until the test stops it.
    'setInterval(() => {}, 1000);',
    '',
  ].join('\n'),
};

interface Watched {
  /** Resolves with the next build's stats. */
  nextBuild(): Promise<Stats>;
}

/** `webpack --watch` on a Node target with HMR, writing to <project>/dist. */
function watchNodeBundle(dir: string, entry: string): Watched {
  const compiler = webpack({
    mode: 'development',
    devtool: false,
    target: 'node',
    context: dir,
    entry: [entry, './src/index.js'],
    output: { path: join(dir, 'dist'), filename: 'main.js' },
    infrastructureLogging: { level: 'none' },
    plugins: [new webpack.HotModuleReplacementPlugin()],
    watchOptions: { aggregateTimeout: 5 },
  });
  let waiting: ((stats: Stats) => void)[] = [];
  const watching = compiler.watch({}, (error, stats) => {
    if (error || !stats) throw error ?? new Error('webpack gave no stats');
    const listeners = waiting;
    waiting = [];
    for (const listener of listeners) listener(stats);
  });
  cleanups.push(
    () => new Promise<void>((done) => (watching ? watching.close(() => done()) : done())),
  );
  return {
    nextBuild: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

function run(dir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output };
}

describe('Node entries with a query, resolved through the exports map', () => {
  it('@hmrkit/runtime/poll?200 applies an edit by itself', async () => {
    const app = await project(NODE_APP);
    const watched = watchNodeBundle(app.dir, '@hmrkit/runtime/poll?200');
    const first = await watched.nextBuild();
    expect(errorsOf(first)).toEqual([]);
    const bundle = await readFile(join(app.dir, 'dist', 'main.js'), 'utf8');
    expect(bundle).toContain('__resourceQuery = "?200"');

    const { output } = run(app.dir);
    await waitFor(() => output().includes('value 1'), { message: 'the app to start' });
    const rebuilt = watched.nextBuild();
    await app.write('src/value.js', 'module.exports = 2;\n');
    expect(errorsOf(await rebuilt)).toEqual([]);
    // Polling every 200 ms: no signal, no request, the update arrives.
    await waitFor(() => output().includes('value 2'), {
      timeoutMs: 15_000,
      message: `the polled update (output: ${output()})`,
    });
  }, 30_000);

  it('@hmrkit/runtime/signal?SIGHUP applies an edit on SIGHUP', async () => {
    const app = await project(NODE_APP);
    const watched = watchNodeBundle(app.dir, '@hmrkit/runtime/signal?SIGHUP');
    expect(errorsOf(await watched.nextBuild())).toEqual([]);

    const { child, output } = run(app.dir);
    await waitFor(() => output().includes('value 1'), { message: 'the app to start' });
    const rebuilt = watched.nextBuild();
    await app.write('src/value.js', 'module.exports = 2;\n');
    expect(errorsOf(await rebuilt)).toEqual([]);
    // SIGHUP would end a Node process that does not listen for it: the
    // process staying up and updating shows the query named the signal.
    child.kill('SIGHUP');
    await waitFor(() => output().includes('value 2'), {
      timeoutMs: 15_000,
      message: `the update after SIGHUP (output: ${output()})`,
    });
    expect(child.exitCode).toBeNull();
    expect(output()).toContain('[HMR] Updated modules:');
  }, 30_000);
});

describe('browser entries with a query', () => {
  it.each([
    ['@hmrkit/runtime?mode=only', 'dist/index.js', '?mode=only'],
    ['@hmrkit/runtime?logging=warning', 'dist/index.js', '?logging=warning'],
    ['@hmrkit/runtime/only?logging=none', 'dist/only.js', '?logging=none'],
  ])('%s builds with its query', async (entry, file, query) => {
    const app = await project({ 'src/index.js': 'document.title = "app";\n' });
    const stats = await build({
      mode: 'development',
      devtool: false,
      target: 'web',
      context: app.dir,
      entry: [entry, './src/index.js'],
      output: { path: join(app.dir, 'dist') },
      infrastructureLogging: { level: 'none' },
      plugins: [new webpack.HotModuleReplacementPlugin()],
    });
    expect(errorsOf(stats)).toEqual([]);
    const modules = stats.toJson({ all: false, modules: true }).modules ?? [];
    const names = modules.map((module) => module.name ?? '');
    expect(names.filter((name) => name.endsWith(`runtime/${file}${query}`))).toHaveLength(1);
    const bundle = await readFile(join(app.dir, 'dist', 'main.js'), 'utf8');
    expect(bundle).toContain(`__resourceQuery = ${JSON.stringify(query)}`);
  });
});
