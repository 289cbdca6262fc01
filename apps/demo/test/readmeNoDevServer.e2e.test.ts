// End-to-end: the root README's "HMR without @hmrkit/dev-server" example, run
// as a tool author would run it. Its install line, webpack.config.js, server.mjs
// and src/index.js are written as they are in README.md into a temp project
// outside the workspace, with the packed packages npm-installed. Then
// `node server.mjs` is spawned and the page is driven in headless Chromium,
// with a raw ws client beside it checking the frames.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPackedProject,
  getFreePort,
  packPublishedPackages,
  readmeBlock,
  readmeBlocks,
  readmeCommands,
  type Spawned,
  spawnTracked,
  stopSpawned,
  waitFor,
} from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Browser,
  DEMO_DIR,
  type DemoPage,
  ensureCliBuilt,
  launchBrowser,
  messageType,
  openDemoPage,
  REPO_DIR,
} from './harness';

const E2E = { timeout: 90_000 };
const README_FILE = join(REPO_DIR, 'README.md');

/**
 * What the README's install line installs: the `@hmrkit/*` packages (packed), and the
 * others at the version this app uses.
 */
function readInstallLine(): { packages: string[]; dependencies: Record<string, string> } {
  const lines = readmeCommands(readmeBlock(readmeBlocks(README_FILE, 'example-sh'), 'install'));
  const words = lines.length === 1 ? (lines[0] as string).split(/\s+/) : [];
  if (words[0] !== 'npm' || words[1] !== 'install') {
    throw new Error(`The README's install block is not one npm install line: ${lines.join('; ')}`);
  }
  const own = JSON.parse(readFileSync(join(DEMO_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const packages: string[] = [];
  const dependencies: Record<string, string> = {};
  for (const name of words.slice(2).filter((word) => !word.startsWith('-'))) {
    const range = own.devDependencies[name];
    if (name.startsWith('@hmrkit/')) packages.push(name);
    else if (range) dependencies[name] = range;
    else throw new Error(`The README installs ${name}, which this app does not have`);
  }
  return { packages, dependencies };
}

/** The README's three files, at the paths they have in a user's project. */
function readExampleFiles(): Record<string, string> {
  return {
    'webpack.config.js': readmeBlock(
      readmeBlocks(README_FILE, 'example-config'),
      'webpack.config.js',
    ),
    'server.mjs': readmeBlock(readmeBlocks(README_FILE, 'example'), 'server.mjs'),
    'src/index.js': readmeBlock(readmeBlocks(README_FILE, 'example-file'), 'index.js'),
  };
}

interface ExampleServer {
  readonly url: string;
  readonly process: Spawned;
}

/** `node server.mjs` in `dir`, as a user's shell starts it; resolves once it listens. */
async function startExample(dir: string): Promise<ExampleServer> {
  const port = await getFreePort();
  // No pnpm NODE_PATH (the workspace's packages): only the project's own packages resolve.
  const spawned = spawnTracked(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { PORT: String(port), NODE_PATH: undefined },
  });
  const url = `http://127.0.0.1:${port}/`;
  await spawned.printed(new RegExp(`Listening on ${url.replaceAll('.', '\\.')}`));
  return { url, process: spawned };
}

interface RawSocket {
  readonly messages: string[];
  readonly closeCode: Promise<number>;
  /** The `type`s of the messages from index `after` on. */
  types(after?: number): string[];
  close(): void;
}

/** A plain ws client, as a non-browser tool would connect: resolves once open. */
function connectRaw(url: string): Promise<RawSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}ws`, { origin: url.slice(0, -1) });
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString()));
  const closeCode = new Promise<number>((resolve) => socket.once('close', resolve));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        messages,
        closeCode,
        types: (after = 0) => messages.slice(after).map((m) => messageType(m) ?? '?'),
        close: () => socket.terminate(),
      }),
    );
  });
}

/** The build result frames (`ok`, `errors`, …) among `types`, with `invalid` and `hash`. */
const buildFrames = (types: string[]): string[] =>
  types.filter((type) => ['invalid', 'hash', 'ok', 'warnings', 'errors'].includes(type));

describe('README: HMR without @hmrkit/dev-server (node server.mjs on the packed packages)', () => {
  let root: string;
  let project: string;
  let server: ExampleServer;
  let browser: Browser;
  let page: DemoPage | undefined;
  const raws: RawSocket[] = [];
  const marker = `kept-${process.pid}-${Date.now()}`;

  const write = (file: string, text: string): Promise<void> => writeFile(join(project, file), text);
  const message = (text: string): string => `export const message = ${JSON.stringify(text)};\n`;
  const raw = async (): Promise<RawSocket> => {
    const socket = await connectRaw(server.url);
    raws.push(socket);
    return socket;
  };
  /** Waits until `socket` got `count` build frames after `after` messages. */
  const waitForFrames = (socket: RawSocket, after: number, count: number): Promise<string[]> =>
    waitFor(
      () => {
        const frames = buildFrames(socket.types(after));
        return frames.length >= count ? frames : null;
      },
      { timeoutMs: 30_000, message: `${count} build frames (got ${socket.types(after)})` },
    );

  beforeAll(async () => {
    ensureCliBuilt(); // every package's dist, which pnpm pack takes
    root = await mkdtemp(join(tmpdir(), 'hmrkit-readme-nodev-'));
    const { packages, dependencies } = readInstallLine();
    const installed = await createPackedProject(join(root, 'project'), {
      tarballs: packPublishedPackages(root),
      packages,
      dependencies,
    });
    const example = await installed.example({
      ...readExampleFiles(),
      'src/message.js': message('Hello'),
    });
    project = example.dir;
    server = await startExample(project);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const socket of raws) socket.close();
    await page?.close();
    await browser?.close();
    await stopSpawned();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(
    'sends hot, liveReload, then the last build (hash, ok) to a client that connects',
    E2E,
    async () => {
      const socket = await raw();
      await waitFor(() => socket.messages.length >= 4, {
        timeoutMs: 30_000,
        message: 'the greeting frames',
      });
      expect(socket.types()).toEqual(['hot', 'liveReload', 'hash', 'ok']);
      const hash = (JSON.parse(socket.messages[2] as string) as { data: string }).data;
      expect(hash).toMatch(/^[0-9a-f]{16,}$/);
      // The hash of the bundle the middleware serves: the page compares the two.
      const bundle = await fetch(`${server.url}main.js`);
      expect(bundle.status).toBe(200);
      expect(await bundle.text()).toContain(`"${hash}"`);
      socket.close();
    },
  );

  it(
    'applies an accepted edit in place: the DOM changes, the page is not reloaded',
    E2E,
    async () => {
      page = await openDemoPage(browser, server.url);
      await page.waitForText('#app', 'Hello');
      await page.waitForConnection();
      await page.page.evaluate((value) => {
        (window as { __readmeMarker?: string }).__readmeMarker = value;
      }, marker);
      const after = page.messages.length;

      await write('src/message.js', message('Hello, hot'));
      await page.waitForText('#app', 'Hello, hot');

      expect(
        await page.page.evaluate(() => (window as { __readmeMarker?: string }).__readmeMarker),
      ).toBe(marker);
      expect(page.loads()).toBe(1);
      expect(buildFrames(page.messages.slice(after).map((m) => messageType(m) ?? '?'))).toEqual([
        'invalid',
        'hash',
        'ok',
      ]);
      expect(page.console.join('\n')).toContain('[HMR]  - ./src/message.js');
      expect(page.errors).toEqual([]);
    },
  );

  it(
    'shows a syntax error in the overlay (an errors frame); the fix hot-applies',
    E2E,
    async () => {
      if (!page) throw new Error('needs the page of the previous test');
      const demo = page;
      const socket = await raw();
      await waitForFrames(socket, 0, 2); // the greeting's hash + ok
      const before = socket.messages.length;

      await write('src/message.js', "export const message = 'Hello' +;\n");
      const frames = await waitForFrames(socket, before, 3);
      expect(frames).toEqual(['invalid', 'hash', 'errors']);
      const errors = JSON.parse(socket.messages.at(-1) as string) as {
        data: Array<{ message: string; moduleName?: string }>;
      };
      expect(errors.data[0]?.moduleName).toBe('./src/message.js');
      expect(errors.data[0]?.message).toContain('Module parse failed');
      const overlay = await demo.waitForOverlay('message.js', 30_000);
      expect(overlay).toContain('Module parse failed');
      // Nothing of the broken build was applied.
      expect(await demo.text('#app')).toBe('Hello, hot');

      const fixed = socket.messages.length;
      await write('src/message.js', message('Hello again'));
      await demo.waitForText('#app', 'Hello again');
      await waitFor(async () => (await demo.overlayText()) === null, {
        timeoutMs: 10_000,
        message: 'the overlay to close',
      });
      expect(await waitForFrames(socket, fixed, 3)).toEqual(['invalid', 'hash', 'ok']);
      expect(
        await demo.page.evaluate(() => (window as { __readmeMarker?: string }).__readmeMarker),
      ).toBe(marker);
      expect(demo.loads()).toBe(1);
    },
  );

  it('on SIGINT closes every socket (1001) and exits 0', E2E, async () => {
    if (!page) throw new Error('needs the page of the previous test');
    const demo = page;
    const socket = await raw();
    const exited = server.process.stop('SIGINT');
    expect(await socket.closeCode).toBe(1001);
    expect(await exited).toBe(0);
    await waitFor(() => demo.console.some((line) => line.includes('Disconnected!')), {
      timeoutMs: 10_000,
      message: 'the page to log "Disconnected!"',
    });
  });
});
