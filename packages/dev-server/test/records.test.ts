// keepState: the HMR records outlive the server, so the first build after a
// restart starts from the build the open pages run. Real webpack, real
// DevServers stopped and started again on new compilers, the same port.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import webpack, { type Configuration, type MultiStats, type Stats } from 'webpack';
import { DevServer } from '../src/index';
import { FINGERPRINT_KEY } from '../src/records';
import { createCompiler, createProject, type Project, request, useDevServers } from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
useDevServers(() => [server, project]);

const ACCEPTING = "document.title = 'v1';\nif (module.hot) module.hot.accept();\n";

interface Logged {
  warn: string[];
  info: string[];
}

/** A console for webpack's infrastructure logger that keeps what our plugins log. */
function createLogConsole(logged: Logged): Console {
  const keep =
    (into: string[]) =>
    (...args: unknown[]): void => {
      into.push(args.map(String).join(' '));
    };
  const ignore = (): void => {};
  return {
    ...console,
    warn: keep(logged.warn),
    info: keep(logged.info),
    log: keep(logged.info),
    error: keep(logged.warn),
    debug: ignore,
    trace: ignore,
    group: ignore,
    groupCollapsed: ignore,
    groupEnd: ignore,
  } as Console;
}

/** Starts a DevServer on a new compiler; resolves with the hash of its first build. */
async function startOnce(
  port: number,
  options: ConstructorParameters<typeof DevServer>[0] = {},
  config: Configuration = {},
  logged: Logged = { warn: [], info: [] },
): Promise<string> {
  const dir = (project as Project).dir;
  const compiler = createCompiler(dir, {
    infrastructureLogging: { level: 'info', console: createLogConsole(logged) },
    ...config,
  });
  server = new DevServer(
    { host: '127.0.0.1', port, static: false, setupExitSignals: false, ...options },
    compiler,
  );
  await server.start();
  const stats = await new Promise<Stats | MultiStats>((resolve) =>
    server?.middleware?.waitUntilValid(resolve),
  );
  return stats.hash as string;
}

async function stop(): Promise<void> {
  await server?.stop();
  server = undefined;
}

const cachedRecords = (dir: string, folder = '0'): string =>
  join(dir, 'node_modules', '.cache', 'hmrkit', folder, 'records.json');

describe('keepState: HMR records across restarts', () => {
  it('writes the records with a fingerprint under node_modules/.cache/hmrkit on stop', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const hash = await startOnce(port);
    await stop();
    const stored = JSON.parse(readFileSync(cachedRecords(project.dir), 'utf8'));
    expect(stored.hash).toBe(hash);
    expect(Object.keys(stored.chunkHashes)).toEqual(['main']);
    expect(stored[FINGERPRINT_KEY]).toEqual({
      format: 1,
      webpack: webpack.version,
      config: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // Nothing in the source or output folders.
    expect(existsSync(join(project.dir, 'dist'))).toBe(false);
  });

  it('no edit while stopped: the first build has the old hash and emits no update', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const first = await startOnce(port);
    await stop();
    const second = await startOnce(port);
    expect(second).toBe(first);
    expect((await request(port, `/main.${first}.hot-update.json`)).status).toBe(404);
  });

  it('an edit while stopped: the first build emits the update from the old hash', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const first = await startOnce(port);
    await stop();
    project.write('src/index.js', ACCEPTING.replace("'v1'", "'v2'"));
    const second = await startOnce(port);
    expect(second).not.toBe(first);
    const manifest = await request(port, `/main.${first}.hot-update.json`);
    expect(manifest.status).toBe(200);
    expect(JSON.parse(manifest.body)).toMatchObject({ c: ['main'], r: [], m: [] });
    const chunk = await request(port, `/main.${first}.hot-update.js`);
    expect(chunk.status).toBe(200);
    expect(chunk.body).toContain('v2');
  });

  it('a changed config: no update from the old hash (pages reload once), an info line', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const first = await startOnce(port);
    await stop();
    const logged: Logged = { warn: [], info: [] };
    // A config change that changes the bundle (a config change that does not
    // builds the old hash, and pages are up to date as they are).
    const changed: Configuration = { output: { uniqueName: 'renamed' } };
    const second = await startOnce(port, {}, changed, logged);
    expect(second).not.toBe(first);
    expect((await request(port, `/main.${first}.hot-update.json`)).status).toBe(404);
    expect(logged.info.join('\n')).toMatch(
      /HMR records at .* not used \(the webpack config changed\)/,
    );
    expect(logged.warn).toEqual([]);
    // The records now belong to the new config: the next restart keeps state again.
    await stop();
    expect(await startOnce(port, {}, changed)).toBe(second);
  });

  it.each([
    ['not JSON', '{"hash": "abc", '],
    ['wrong shapes', JSON.stringify({ hash: 'abc', chunkHashes: 'nope' })],
    ['not an object', '[1, 2, 3]'],
  ])('corrupt records (%s): a warning, a clean build, no crash', async (_label, text) => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const first = await startOnce(port);
    await stop();
    writeFileSync(cachedRecords(project.dir), text);
    const logged: Logged = { warn: [], info: [] };
    const second = await startOnce(port, {}, {}, logged);
    expect(second).toBe(first); // the same sources build the same hash, from scratch
    expect(logged.warn.join('\n')).toMatch(/Ignored corrupt HMR records at .*records\.json/);
    const page = await request(port, '/main.js');
    expect(page.status).toBe(200);
    // Written again, whole, at stop.
    await stop();
    const stored = JSON.parse(readFileSync(cachedRecords(project.dir), 'utf8'));
    expect(stored.hash).toBe(second);
  });

  it('keepState: false keeps no records; an edit after a restart has no update', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const first = await startOnce(port, { keepState: false });
    await stop();
    expect(existsSync(join(project.dir, 'node_modules', '.cache', 'hmrkit'))).toBe(false);
    project.write('src/index.js', ACCEPTING.replace("'v1'", "'v2'"));
    await startOnce(port, { keepState: false });
    expect((await request(port, `/main.${first}.hot-update.json`)).status).toBe(404);
  });

  it("uses the config's recordsPath, on disk (webpack would write it into memory)", async () => {
    project = await createProject({ 'src/index.js': ACCEPTING });
    const port = await getFreePort();
    const recordsPath = join(project.dir, 'records', 'hmr.json');
    const first = await startOnce(port, {}, { recordsPath });
    await stop();
    expect(JSON.parse(readFileSync(recordsPath, 'utf8')).hash).toBe(first);
    expect(existsSync(join(project.dir, 'node_modules', '.cache', 'hmrkit'))).toBe(false);
    project.write('src/index.js', ACCEPTING.replace("'v1'", "'v2'"));
    await startOnce(port, {}, { recordsPath });
    expect((await request(port, `/main.${first}.hot-update.json`)).status).toBe(200);
  });

  it('a MultiCompiler keeps one set of records per child, by name', async () => {
    project = await createProject({ 'src/index.js': ACCEPTING, 'src/other.js': ACCEPTING });
    const dir = project.dir;
    const port = await getFreePort();
    const makeCompiler = () =>
      webpack(
        ['app', 'other'].map((name) => ({
          name,
          mode: 'development' as const,
          context: dir,
          entry: name === 'app' ? './src/index.js' : './src/other.js',
          devtool: false as const,
          infrastructureLogging: { level: 'none' as const },
          stats: 'none' as const,
          output: { path: join(dir, 'dist', name), publicPath: `/${name}/` },
        })),
      );
    const run = async (): Promise<string[]> => {
      server = new DevServer(
        { host: '127.0.0.1', port, static: false, setupExitSignals: false },
        makeCompiler(),
      );
      await server.start();
      const stats = await new Promise<MultiStats>((resolve) =>
        server?.middleware?.waitUntilValid((s) => resolve(s as MultiStats)),
      );
      return stats.stats.map((child) => child.hash as string);
    };
    const [app, other] = await run();
    await stop();
    expect(JSON.parse(readFileSync(cachedRecords(dir, 'app'), 'utf8')).hash).toBe(app);
    expect(JSON.parse(readFileSync(cachedRecords(dir, 'other'), 'utf8')).hash).toBe(other);
    project.write('src/other.js', ACCEPTING.replace("'v1'", "'v2'"));
    const [app2, other2] = await run();
    expect(app2).toBe(app);
    expect(other2).not.toBe(other);
    expect((await request(port, `/other/main.${other}.hot-update.json`)).status).toBe(200);
  });
});
