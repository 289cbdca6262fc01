// End-to-end: React Fast Refresh through @pmmmwh/react-refresh-webpack-plugin
// on its defaults (`overlay.sockIntegration: 'wds'`) under `hmrkit serve`, in
// headless Chromium. Twice: in this app, where webpack-dev-server is installed
// (our stand-in for `webpack-dev-server/client/socket` must win over it), and
// in a temp project outside the workspace made of the packed packages, where
// it is not installed (nothing to resolve that request to but our stand-in).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getFreePort,
  packedDependencies,
  packPublishedPackages,
  waitFor,
} from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppCopy,
  type Browser,
  createAppCopy,
  type DemoPage,
  type DemoServer,
  ensureCliBuilt,
  killAllServers,
  launchBrowser,
  openDemoPage,
  startDemoServer,
} from '../../demo/test/harness';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const E2E = { timeout: 90_000 };
const GREETING = 'Hello from React';
const REFRESH_WARNING = '[React Refresh]';

/** The text of the plugin's overlay (an iframe), or null when it is not on the page. */
const pluginOverlayText = (demo: DemoPage): Promise<string | null> =>
  demo.page
    .evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('iframe#react-refresh-overlay');
      return frame ? (frame.contentDocument?.body?.textContent ?? '') : null;
    })
    .catch(() => null);

// What the child processes get: no vitest NODE_ENV=test (react-refresh/babel
// refuses to run under it) and no NODE_PATH (pnpm sets it to the workspace's
// hoisted packages, where webpack-dev-server is), as a user's shell has.
const USER_ENV = { NODE_ENV: undefined, NODE_PATH: undefined };

/**
 * Where `webpack-dev-server/client/socket` resolves from the plugin's
 * WDSSocket.js, or null: asked of a plain Node process in the project.
 */
function resolveWdsSocket(projectDir: string): string | null {
  const script = `
    const { createRequire } = require('node:module');
    const socket = require.resolve('@pmmmwh/react-refresh-webpack-plugin/sockets/WDSSocket');
    try { process.stdout.write(createRequire(socket).resolve('webpack-dev-server/client/socket')); }
    catch { process.stdout.write(''); }`;
  const output = execFileSync(process.execPath, ['-e', script], {
    cwd: projectDir,
    encoding: 'utf8',
    env: { ...process.env, ...USER_ENV },
  });
  return output || null;
}

interface Setup {
  app: AppCopy;
  bin: string;
  cleanup(): Promise<void>;
}

/** A copy of this app inside it: its node_modules has webpack-dev-server 5. */
async function inWorkspace(): Promise<Setup> {
  const bin = ensureCliBuilt();
  const app = await createAppCopy(APP_DIR);
  return { app, bin, cleanup: () => app.remove() };
}

/** The app in a temp project outside the workspace, npm-installed from the packed packages. */
async function packedProject(): Promise<Setup> {
  ensureCliBuilt();
  const root = await mkdtemp(join(tmpdir(), 'hmrkit-demo-react-'));
  const tarballs = packPublishedPackages(root);
  const app = await createAppCopy(APP_DIR, root);
  const own = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  // What a React project that switched to hmrkit has: the app's toolchain at
  // the versions this app uses, no webpack-dev-server.
  const toolchain = [
    '@babel/core',
    '@babel/preset-react',
    '@pmmmwh/react-refresh-webpack-plugin',
    'babel-loader',
    'html-webpack-plugin',
    'react',
    'react-dom',
    'react-refresh',
    'webpack',
  ];
  const { dependencies, overrides } = packedDependencies(tarballs);
  for (const name of toolchain) {
    const range = own.devDependencies[name];
    if (!range) throw new Error(`apps/demo-react has no devDependency ${name}`);
    dependencies[name] = range;
  }
  await writeFile(
    join(app.dir, 'package.json'),
    `${JSON.stringify({ name: 'react-app', private: true, type: 'module', dependencies, overrides }, null, 2)}\n`,
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    {
      cwd: app.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    },
  );
  return {
    app,
    bin: join(app.dir, 'node_modules', '@hmrkit', 'cli', 'bin', 'hmrkit.js'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await killAllServers();
});

describe.each([
  { name: 'with webpack-dev-server installed (this app)', prepare: inWorkspace, wds: true },
  { name: 'without webpack-dev-server (packed packages)', prepare: packedProject, wds: false },
])('React Fast Refresh under hmrkit serve, $name', ({ prepare, wds }) => {
  let setup: Setup;
  let server: DemoServer;
  let demo: DemoPage | undefined;

  beforeAll(async () => {
    setup = await prepare();
    server = await startDemoServer({
      bin: setup.bin,
      appDir: setup.app.dir,
      port: await getFreePort(),
      transport: 'ws',
      timeoutMs: 90_000,
      env: USER_ENV,
    });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await setup?.cleanup();
  });

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
    // The next test starts from the original sources, built.
    const builds = server.builds();
    if ((await setup.app.restore()).length > 0) await server.waitForBuild(builds);
  });

  async function open(): Promise<DemoPage> {
    demo = await openDemoPage(browser, server.url);
    await demo.waitForText('#greeting', GREETING);
    await demo.waitForConnection();
    return demo;
  }

  async function countTo(page: DemoPage, n: number): Promise<void> {
    for (let i = 0; i < n; i += 1) await page.page.click('#increment');
    await page.waitForText('#count', String(n));
  }

  it(wds ? 'webpack-dev-server is resolvable here' : 'webpack-dev-server is not installed', () => {
    const resolved = resolveWdsSocket(setup.app.dir);
    if (wds) expect(resolved).toMatch(/webpack-dev-server[\\/]client[\\/]socket\.js$/);
    else expect(resolved).toBeNull();
  });

  it('keeps component state on an edit, with a clean console', E2E, async () => {
    const page = await open();
    await countTo(page, 3);
    const boot = await page.bootId();
    expect(boot).not.toBeNull();

    // The component that holds the state.
    await setup.app.edit('src/Counter.jsx', (s) =>
      s.replace('>\n        Count\n', '>\n        Add one\n'),
    );
    await page.waitForText('#increment', 'Add one');
    expect(await page.text('#count')).toBe('3');
    // Another component.
    await setup.app.edit('src/Greeting.jsx', (s) => s.replace(GREETING, 'Hello again'));
    await page.waitForText('#greeting', 'Hello again');
    expect(await page.text('#count')).toBe('3');

    expect(await page.bootId()).toBe(boot);
    expect(page.loads()).toBe(1);
    expect(page.console.filter((line) => line.includes(REFRESH_WARNING))).toEqual([]);
    expect(page.errors).toEqual([]);
    expect(page.console.some((line) => line.includes('[HMR] Updated modules:'))).toBe(true);
  });

  it("shows a syntax error in the plugin's overlay and clears it after the fix", E2E, async () => {
    const page = await open();
    await countTo(page, 2);
    const boot = await page.bootId();
    expect(await pluginOverlayText(page)).toBeNull();

    const builds = server.builds();
    await setup.app.edit('src/Greeting.jsx', (s) =>
      s.replace('</h1>;', '</h1>;;\nexport const = 1;'),
    );
    await server.waitForBuild(builds);
    const shown = await waitFor(
      async () => {
        const text = await pluginOverlayText(page);
        return text?.includes('Failed to compile') ? text : null;
      },
      { timeoutMs: 20_000, message: "the plugin's compile error overlay" },
    );
    expect(shown).toContain('Greeting.jsx');
    expect(shown).toContain('Syntax error');

    await setup.app.restore();
    await waitFor(async () => (await pluginOverlayText(page)) === null, {
      timeoutMs: 20_000,
      message: "the plugin's overlay to go away after the fix",
    });
    // The fix arrived as a hot update: same page, state kept.
    await page.waitForText('#greeting', GREETING);
    expect(await page.text('#count')).toBe('2');
    expect(await page.bootId()).toBe(boot);
    expect(page.console.filter((line) => line.includes(REFRESH_WARNING))).toEqual([]);
  });

  it("clears the plugin's runtime errors on the next good build (no pile-up)", E2E, async () => {
    const page = await open();
    const raise = (message: string): Promise<void> =>
      page.page.evaluate((text) => {
        setTimeout(() => {
          throw new Error(text);
        });
      }, message);

    await raise('first runtime error');
    await waitFor(async () => (await pluginOverlayText(page))?.includes('first runtime error'), {
      timeoutMs: 20_000,
      message: 'the first runtime error in the overlay',
    });
    // A good build with nothing to refresh (the file saved unchanged): only
    // its build result frame can tell the plugin to reset its list of runtime
    // errors (a Fast Refresh resets it too, so an edit would prove nothing).
    const frames = page.messages.length;
    const builds = server.builds();
    await setup.app.write('src/Greeting.jsx', await setup.app.read('src/Greeting.jsx'));
    await server.waitForBuild(builds);
    await page.waitForConnection(frames);
    await raise('second runtime error');
    const text = await waitFor(
      async () => {
        const current = await pluginOverlayText(page);
        // Piled up, the overlay would say "Error 1 of 2" and show the first one.
        return current?.includes('second runtime error') || current?.includes(' of 2')
          ? current
          : null;
      },
      { timeoutMs: 20_000, message: 'the second runtime error in the overlay' },
    );
    expect(text).toContain('Error 1 of 1');
    expect(text).toContain('second runtime error');
    expect(text).not.toContain('first runtime error');
  });
});
