// End-to-end: the root README's "HMR without @hmrkit/dev-server" example, run
// as a tool author would run it. Its install line, webpack.config.js, server.mjs
// and src/index.js are written as they are in README.md into a temp project
// outside the workspace, with the packed packages npm-installed. Then
// `node server.mjs` is spawned and the page is driven in headless Chromium,
// with a raw ws client beside it checking the frames.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  getFreePort,
  packedDependencies,
  packPublishedPackages,
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
const README = readFileSync(join(REPO_DIR, 'README.md'), 'utf8');

/** The code block under `<!-- example: name -->` in the root README, as written. */
function readmeExample(name: string): string {
  const marker = `<!-- example: ${name} -->\n`;
  const start = README.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no "${marker.trim()}" block`);
  const match = /^```\w*\n([\s\S]*?)^```$/m.exec(README.slice(start + marker.length));
  if (!match?.[1]) throw new Error(`README.md's "${name}" example has no code block`);
  return match[1];
}

/**
 * The package.json the README's install line makes: every `@hmrkit/*` package
 * it names is the packed tarball (and so is every `@hmrkit/*` dependency of
 * those, through `overrides`); anything else at the version this app uses.
 */
function projectPackageJson(installLine: string, tarballs: Record<string, string>): string {
  const words = installLine.trim().split(/\s+/);
  if (words[0] !== 'npm' || words[1] !== 'install') {
    throw new Error(`The README's install example is not an npm install: ${installLine}`);
  }
  const own = JSON.parse(readFileSync(join(DEMO_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const { dependencies: packed, overrides } = packedDependencies(tarballs);
  const devDependencies: Record<string, string> = {};
  for (const name of words.slice(2).filter((word) => !word.startsWith('-'))) {
    const spec = packed[name] ?? own.devDependencies[name];
    if (!spec) throw new Error(`The README installs ${name}, which neither we nor the demo have`);
    devDependencies[name] = spec;
  }
  return `${JSON.stringify({ private: true, devDependencies, overrides }, null, 2)}\n`;
}

interface ExampleServer {
  readonly url: string;
  output(): string;
  /** Resolves with the exit code (null if killed by a signal). */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
}

/** `node server.mjs` in `dir`, as a user's shell starts it; resolves once it listens. */
async function startExample(dir: string): Promise<ExampleServer> {
  const port = await getFreePort();
  const child: ChildProcess = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No vitest NODE_ENV, no pnpm NODE_PATH (the workspace's packages): only the project's own.
    env: {
      ...process.env,
      PORT: String(port),
      NO_COLOR: '1',
      NODE_ENV: undefined,
      NODE_PATH: undefined,
    },
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  const server: ExampleServer = {
    url: `http://127.0.0.1:${port}/`,
    output: () => output,
    exited,
    hasExited: () => done,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
  };
  try {
    await waitFor(
      () => {
        if (done) throw new Error('node server.mjs exited');
        return output.includes(`Listening on ${server.url}`);
      },
      { timeoutMs: 60_000, message: 'server.mjs to listen' },
    );
  } catch (error) {
    server.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- server.mjs output ---\n${output}`);
  }
  return server;
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

  const write = async (file: string, text: string): Promise<void> => {
    await mkdir(dirname(join(project, file)), { recursive: true });
    await writeFile(join(project, file), text);
  };
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
    project = join(root, 'project');
    await mkdir(project);
    const tarballs = packPublishedPackages(root);
    await write('package.json', projectPackageJson(readmeExample('install'), tarballs));
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 },
    );
    for (const file of ['webpack.config.js', 'server.mjs', 'src/index.js']) {
      await write(file, readmeExample(file));
    }
    await write('src/message.js', message('Hello'));
    server = await startExample(project);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const socket of raws) socket.close();
    await page?.close();
    await browser?.close();
    if (server && !server.hasExited()) {
      server.kill('SIGKILL');
      await server.exited;
    }
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
    server.kill('SIGINT');
    expect(await socket.closeCode).toBe(1001);
    expect(await server.exited).toBe(0);
    await waitFor(() => demo.console.some((line) => line.includes('Disconnected!')), {
      timeoutMs: 10_000,
      message: 'the page to log "Disconnected!"',
    });
  });
});
