// End-to-end: the pushed hot update (hmrkit's `hot-update` frame). The page
// applies an edit with no HTTP request at all; it falls back to webpack's own
// fetch when the update is over the size limit, when its CSP forbids
// evaluating it, and after a reconnect that missed a build; and
// webpack-dev-server 5's own client, which never asks for pushes, still hot-updates.
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import type { WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppCopy,
  type Browser,
  createAppCopy,
  type DemoPage,
  type DemoServer,
  launchBrowser,
  messageType,
  openDemoPage,
  startDemoServer,
  type Transport,
  useCliAndBrowser,
} from './harness';

const E2E = { timeout: 90_000 };
const GREETING = 'Hello from hmrkit';

const env = useCliAndBrowser();

/** Every HTTP request the page makes, in order (WebSocket frames are not requests). */
function recordRequests(page: DemoPage): string[] {
  const urls: string[] = [];
  page.page.on('request', (request) => urls.push(new URL(request.url()).pathname));
  return urls;
}

/** Opens the app and waits until its client is connected and has asked for pushes. */
async function openApp(
  target: Browser,
  server: DemoServer,
  greeting = GREETING,
): Promise<DemoPage> {
  const page = await openDemoPage(target, server.url);
  await page.waitForText('#greeting', greeting);
  await page.waitForConnection();
  return page;
}

/**
 * Edits greeting.ts (which index.ts accepts) and returns the requests the page
 * made between the write and the DOM showing the new text.
 */
async function editGreeting(
  app: AppCopy,
  page: DemoPage,
  requests: string[],
  from: string,
  to: string,
): Promise<string[]> {
  const before = requests.length;
  await app.edit('src/greeting.ts', (s) => s.replace(from, to));
  await page.waitForText('#greeting', to);
  return requests.slice(before);
}

const hotUpdateRequests = (urls: string[]): string[] =>
  urls.filter((u) => u.includes('hot-update'));

/** Rewrites the copy's webpack config: `devServer` gets `extra`, the top level `top`. */
async function configure(app: AppCopy, devServer: string, top = ''): Promise<void> {
  await app.edit('webpack.config.js', (s) =>
    s
      .replace("mode: 'development',", `mode: 'development',${top}`)
      .replace('static: false,', `static: false,${devServer}`),
  );
}

describe.each<Transport>(['ws', 'sockjs'])('pushed hot updates over %s', (transport) => {
  let app: AppCopy;
  let server: DemoServer;
  let demo: DemoPage | undefined;

  beforeAll(async () => {
    app = await createAppCopy();
    server = await startDemoServer({
      bin: env.bin,
      appDir: app.dir,
      port: await getFreePort(),
      transport,
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await app?.remove();
  });

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });

  it('applies a leaf edit with no HTTP request, without a reload', E2E, async () => {
    demo = await openApp(env.browser, server);
    const requests = recordRequests(demo);
    const during = await editGreeting(app, demo, requests, GREETING, 'Hello, pushed');
    expect(during).toEqual([]);
    expect(demo.messages.map(messageType)).toContain('hot-update');
    // A second edit: the chain of pushed builds goes on.
    expect(await editGreeting(app, demo, requests, 'Hello, pushed', 'Hello, pushed again')).toEqual(
      [],
    );
    expect(demo.loads()).toBe(1);
    expect(demo.errors).toEqual([]);
    expect(demo.console.some((line) => line.includes('App is up to date.'))).toBe(true);
  });

  it.runIf(transport === 'ws')(
    'after a reconnect that missed a build, fetches that build over HTTP, then takes pushes again',
    E2E,
    async () => {
      // A browser of its own: the socket route must exist before the page opens.
      const routed = await launchBrowser();
      try {
        let blocked = false;
        const routes: WebSocketRoute[] = [];
        await routed.context.routeWebSocket(/\/ws$/, (ws) => {
          if (blocked) {
            void ws.close();
            return;
          }
          ws.connectToServer();
          routes.push(ws);
        });
        // The test before left its last edit in place.
        const current = (await app.read('src/greeting.ts')).match(/'(.*)'/)?.[1] ?? GREETING;
        const page = await openApp(routed, server, current);
        demo = page;
        const requests = recordRequests(page);

        blocked = true;
        for (const route of routes) await route.close();
        await waitFor(() => page.console.some((line) => line.includes('Disconnected!')), {
          timeoutMs: 10_000,
          message: 'the client to notice the closed socket',
        });
        const builds = server.builds();
        const before = requests.length;
        await app.edit('src/greeting.ts', (s) => s.replace(current, 'Hello while away'));
        await server.waitForBuild(builds);
        blocked = false;
        await page.waitForText('#greeting', 'Hello while away', 45_000);
        // The build it missed was never pushed to it: webpack's own fetch.
        const missed = hotUpdateRequests(requests.slice(before));
        expect(missed.some((url) => url.endsWith('.hot-update.json'))).toBe(true);
        expect(missed.some((url) => url.endsWith('.hot-update.js'))).toBe(true);
        expect(page.loads()).toBe(1);

        // Connected again (the update above came through the new socket's greeting), it
        // asked for pushes again on open.
        const after = await editGreeting(app, page, requests, 'Hello while away', 'Hello, back');
        expect(hotUpdateRequests(after)).toEqual([]);
        expect(page.loads()).toBe(1);
      } finally {
        await demo?.close();
        demo = undefined;
        await routed.close();
      }
    },
  );
});

describe('falls back to HTTP, and leaves webpack-dev-server clients alone (ws)', () => {
  let app: AppCopy;
  let server: DemoServer | undefined;
  let demo: DemoPage | undefined;

  const start = async (): Promise<DemoServer> => {
    server = await startDemoServer({
      bin: env.bin,
      appDir: app.dir,
      port: await getFreePort(),
      transport: 'ws',
    });
    return server;
  };

  beforeAll(async () => {
    app = await createAppCopy();
  });

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
    await server?.stop();
    server = undefined;
    await app.restore();
  });

  afterAll(async () => {
    await app?.remove();
  });

  it('fetches an update over hotPush.maxBytes (manifest and chunk)', E2E, async () => {
    await configure(app, ' hotPush: { maxBytes: 1 },');
    demo = await openApp(env.browser, await start());
    const requests = recordRequests(demo);
    const during = await editGreeting(app, demo, requests, GREETING, 'Hello, too big to push');
    expect(hotUpdateRequests(during)).toHaveLength(2);
    expect(hotUpdateRequests(during)[0]).toMatch(/^\/main\.[0-9a-f]+\.hot-update\.json$/);
    expect(hotUpdateRequests(during)[1]).toMatch(/^\/main\.[0-9a-f]+\.hot-update\.js$/);
    expect(demo.messages.map(messageType)).not.toContain('hot-update');
    expect(demo.loads()).toBe(1);
  });

  it(
    "fetches the chunk when the page's CSP forbids evaluating it (the manifest still comes pushed)",
    E2E,
    async () => {
      // No eval devtool: the bundle itself must run under the CSP.
      await configure(
        app,
        ` headers: { 'Content-Security-Policy': "script-src 'self'" },`,
        ' devtool: false,',
      );
      demo = await openApp(env.browser, await start());
      const requests = recordRequests(demo);
      const during = await editGreeting(app, demo, requests, GREETING, 'Hello under a CSP');
      expect(hotUpdateRequests(during)).toHaveLength(1);
      expect(hotUpdateRequests(during)[0]).toMatch(/^\/main\.[0-9a-f]+\.hot-update\.js$/);
      expect(
        demo.console.some((line) => line.includes('does not allow evaluating pushed updates')),
      ).toBe(true);
      // From then on it does not try again (no second CSP report), and still updates.
      const errorsBefore = demo.errors.length;
      const next = await editGreeting(
        app,
        demo,
        requests,
        'Hello under a CSP',
        'Hello, still under it',
      );
      expect(hotUpdateRequests(next)).toHaveLength(1);
      expect(demo.errors.length).toBe(errorsBefore);
      expect(demo.loads()).toBe(1);
    },
  );

  it(
    "webpack-dev-server 5's own client hot-updates against hmrkit serve, over HTTP as with wds",
    E2E,
    async () => {
      // client: false (no hmrkit client); the entry carries webpack-dev-server's client and hot/dev-server.
      await configure(app, ' client: false,');
      await app.edit('webpack.config.js', (s) =>
        s.replace(
          "entry: './src/index.ts',",
          "entry: ['webpack-dev-server/client/index.js?protocol=ws%3A&hostname=127.0.0.1&port=0&pathname=%2Fws&logging=info&overlay=true&reconnect=10&hot=true&live-reload=true', 'webpack/hot/dev-server.js', './src/index.ts'],",
        ),
      );
      demo = await openApp(env.browser, await start());
      expect(demo.console.some((line) => line.includes('[webpack-dev-server]'))).toBe(true);
      const requests = recordRequests(demo);
      const during = await editGreeting(app, demo, requests, GREETING, 'Hello, wds client');
      expect(hotUpdateRequests(during)).toHaveLength(2);
      expect(demo.messages.map(messageType)).not.toContain('hot-update');
      expect(demo.console.some((line) => line.includes('[HMR] App is up to date.'))).toBe(true);
      expect(demo.loads()).toBe(1);
    },
  );
});
