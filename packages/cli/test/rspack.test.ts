// `hmrkit serve` with Rspack, as a user runs it: the built bin in a spawned process, on a temp
// project whose config uses Rspack's own plugins (HtmlRspackPlugin would crash under webpack).
import { type ChildProcess, execFile } from 'node:child_process';
import { waitFor } from '@hmrkit/test-utils';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BIN,
  childEnv,
  createTempProject,
  type SpawnedServe,
  spawnServe,
  type TempProject,
} from './helpers';

const RSPACK_CONFIG = `const { rspack } = require('@rspack/core');
module.exports = {
  mode: 'development',
  devtool: false,
  entry: './src/index.js',
  plugins: [new rspack.HtmlRspackPlugin({ title: 'hmrkit on rspack' })],
};
`;
const source = (text: string): string => `document.body.textContent = '${text}';\n`;

const projects: TempProject[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

afterAll(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

const serve = (dir: string, args: string[]): Promise<SpawnedServe> =>
  spawnServe(dir, args, children);

const compiledLines = (text: string): number =>
  (text.match(/^✓ compiled in \d+ ms$/gm) ?? []).length;

async function waitForBody(url: string, expected: string): Promise<void> {
  await waitFor(async () => (await (await fetch(url)).text()).includes(expected), {
    timeoutMs: 20_000,
    message: `${url} to contain ${expected}`,
  });
}

describe('hmrkit serve with Rspack (spawned bin)', () => {
  it('--config rspack.config.js builds with the project’s @rspack/core: serves, then rebuilds on an edit', async () => {
    const project = await createTempProject({
      'src/index.js': source('hello from rspack'),
      'rspack.config.js': RSPACK_CONFIG,
    });
    projects.push(project);
    const server = await serve(project.dir, ['--config', 'rspack.config.js']);
    await waitFor(() => compiledLines(server.stdout()) >= 1, { message: 'the ✓ compiled line' });

    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>hmrkit on rspack</title>');
    expect(html).toMatch(/<script defer src="\/?main\.js"><\/script>/);
    const bundle = await (await fetch(`${server.url}main.js`)).text();
    expect(bundle).toContain('hello from rspack');
    // The client and the runtime are in Rspack's bundle too.
    expect(bundle).toMatch(/client\/dist\/index\.js\?protocol=/);

    await project.write('src/index.js', source('edited under rspack'));
    await waitFor(() => compiledLines(server.stdout()) >= 2, { message: 'a second ✓ line' });
    await waitForBody(`${server.url}main.js`, 'edited under rspack');

    expect(server.stderr()).not.toContain('registerBuiltinPlugin');
    // Rspack's infrastructure logger takes the CLI's filter too: only our URL block is printed.
    expect(server.stderr()).not.toContain('Project is running at');
    expect(server.stdout().match(/Local:/g)).toHaveLength(1);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('finds rspack.config.js by itself, and --compiler rspack builds any other config name with Rspack', async () => {
    const project = await createTempProject({
      'src/index.js': source('found by name'),
      'rspack.config.js': RSPACK_CONFIG,
      'dev.config.js': RSPACK_CONFIG,
    });
    projects.push(project);
    const found = await serve(project.dir, []);
    await waitForBody(found.url, '<title>hmrkit on rspack</title>');
    expect(await found.stop()).toEqual({ code: 0, signal: null });

    const flagged = await serve(project.dir, ['--config', 'dev.config.js', '--compiler', 'rspack']);
    await waitForBody(`${flagged.url}main.js`, 'found by name');
    expect(await flagged.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('--help says how to use Rspack; a bad --compiler value exits 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('node', [BIN, ...args], { env: childEnv() }, (error, stdout, stderr) => {
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
      });
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--compiler <name>\s+bundler to build with/);
    expect(help.stdout).toContain('rspack.config.');
    const bad = await run(['serve', '--compiler', 'parcel']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'parcel' is invalid");
  });
});
