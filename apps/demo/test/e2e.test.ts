// End-to-end: `hmrkit serve` started as a user starts it (the CLI's built bin,
// in a copy of this app), headless Chromium on the page, for both socket
// transports. Each test starts from the app's original sources and a fresh page.
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AppCopy,
  type Browser,
  createAppCopy,
  type DemoPage,
  type DemoServer,
  ensureCliBuilt,
  httpRequest,
  killAllServers,
  launchBrowser,
  makeState,
  messageType,
  openDemoPage,
  probeSocket,
  readState,
  saveScreenshot,
  startDemoServer,
  type Transport,
} from './harness';

const E2E = { timeout: 60_000 };
const GREETING = 'Hello from hmrkit';
const FOOTER = 'footer: full reload on edit';
const BADGE = 'self-accepting badge v1';
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

let bin: string;
let browser: Browser;

beforeAll(async () => {
  bin = ensureCliBuilt();
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  // Normally each transport's server is stopped already; this catches failures.
  await killAllServers();
});

describe.each<Transport>(['ws', 'sockjs'])('hmrkit serve --web-socket-server %s', (transport) => {
  let app: AppCopy;
  let server: DemoServer;
  let port: number;
  let demo: DemoPage | undefined;

  const start = (): Promise<DemoServer> =>
    startDemoServer({ bin, appDir: app.dir, port, transport });

  /** A fresh page on the app, with the client connected to the dev server. */
  async function open(): Promise<DemoPage> {
    demo = await openDemoPage(browser, server.url);
    await demo.waitForText('#greeting', GREETING);
    await demo.waitForConnection();
    return demo;
  }

  async function expectStateKept(page: DemoPage, times: number, text: string): Promise<void> {
    expect(await readState(page)).toEqual({ count: String(times), text });
  }

  const computedColor = (page: DemoPage, selector: string): Promise<string | null> =>
    page.page
      .evaluate((s) => {
        const element = document.querySelector(s);
        return element ? getComputedStyle(element).color : null;
      }, selector)
      .catch(() => null);

  beforeAll(async () => {
    app = await createAppCopy();
    port = await getFreePort();
    server = await start();
  }, 120_000);

  afterAll(async () => {
    await demo?.close();
    await server?.stop();
    await app?.remove();
  });

  beforeEach(async () => {
    // Undo the previous test's edits and let the server rebuild before the next page loads.
    if (!server.isRunning()) {
      // A failed restart test left it stopped.
      await app.restore();
      server = await start();
      return;
    }
    const before = server.builds();
    if ((await app.restore()).length > 0) await server.waitForBuild(before);
  }, 90_000);

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });

  it('serves the app: greeting, logo, badge, footer, styles, no console errors', E2E, async () => {
    const page = await open();
    expect(await page.text('#badge')).toBe(BADGE);
    expect(await page.text('#footer')).toBe(FOOTER);
    expect(await page.text('#count')).toBe('0');
    // The SVG went through webpack's asset/resource and loads.
    const logoWidth = await page.page.$eval(
      'img.logo',
      (img) => (img as HTMLImageElement).naturalWidth,
    );
    expect(logoWidth).toBeGreaterThan(0);
    // styles.css reached the page through style-loader.
    expect(await computedColor(page, '#greeting')).toBe('rgb(43, 58, 103)');
    expect(await page.overlayText()).toBeNull();
    await saveScreenshot(page.page, `app-${transport}`);
    expect(page.errors).toEqual([]);
    expect(page.loads()).toBe(1);
  });

  it(
    'applies an edit of greeting.ts (accepted by index.ts) in place, keeping state',
    E2E,
    async () => {
      const page = await open();
      await makeState(page, 3, 'typed before the edit');
      const bootId = await page.bootId();
      await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello, hot update'));
      await page.waitForText('#greeting', 'Hello, hot update');
      expect(await page.bootId()).toBe(bootId);
      expect(page.loads()).toBe(1);
      await expectStateKept(page, 3, 'typed before the edit');
      expect(page.errors).toEqual([]);
    },
  );

  it('re-runs a self-accepting module (badge.ts) in place, keeping state', E2E, async () => {
    const page = await open();
    await makeState(page, 2, 'badge edit');
    const bootId = await page.bootId();
    await app.edit('src/badge.ts', (s) => s.replace(BADGE, 'self-accepting badge v2'));
    await page.waitForText('#badge', 'self-accepting badge v2');
    expect(await page.bootId()).toBe(bootId);
    expect(page.loads()).toBe(1);
    await expectStateKept(page, 2, 'badge edit');
    expect(page.errors).toEqual([]);
  });

  it('applies a CSS edit (styles.css) without a reload', E2E, async () => {
    const page = await open();
    await makeState(page, 1, 'css edit');
    const bootId = await page.bootId();
    await app.edit('src/styles.css', (s) => s.replace('color: #2b3a67;', 'color: #c2185b;'));
    await waitFor(async () => (await computedColor(page, '#greeting')) === 'rgb(194, 24, 91)', {
      timeoutMs: 20_000,
      message: 'the new heading colour',
    });
    expect(await page.bootId()).toBe(bootId);
    expect(page.loads()).toBe(1);
    await expectStateKept(page, 1, 'css edit');
    expect(page.errors).toEqual([]);
  });

  it('reloads the page once for an edit nothing accepts (config.ts)', E2E, async () => {
    const page = await open();
    await makeState(page, 2, 'lost on reload');
    const bootId = await page.bootId();
    await app.edit('src/config.ts', (s) => s.replace(FOOTER, 'footer: reloaded'));
    await page.waitForText('#footer', 'footer: reloaded');
    // Give a second (wrong) reload the time to happen before counting.
    await sleep(1500);
    expect(page.loads()).toBe(2);
    const newBootId = await page.bootId();
    expect(newBootId).not.toBeNull();
    expect(newBootId).not.toBe(bootId);
    // A reload starts the app over: that is the cost hot updates avoid.
    expect(await page.text('#count')).toBe('0');
    expect(page.errors).toEqual([]);
  });

  it('shows a syntax error in the overlay; the fix hides it and hot-applies', E2E, async () => {
    const page = await open();
    await makeState(page, 2, 'kept through the error');
    const bootId = await page.bootId();
    await app.write('src/greeting.ts', "export const greeting = 'Hello' +;\n");
    const overlay = await page.waitForOverlay('greeting.ts');
    expect(overlay).toContain('Failed to compile');
    await saveScreenshot(page.page, `overlay-${transport}`);
    // The broken build was not applied: the page still shows the old text.
    expect(await page.text('#greeting')).toBe(GREETING);

    await app.write('src/greeting.ts', "export const greeting = 'Hello after the fix';\n");
    await page.waitForText('#greeting', 'Hello after the fix');
    await waitFor(async () => (await page.overlayText()) === null, {
      timeoutMs: 10_000,
      message: 'the overlay to close',
    });
    // A hot update, not a reload: same page, same state.
    expect(await page.bootId()).toBe(bootId);
    expect(page.loads()).toBe(1);
    await expectStateKept(page, 2, 'kept through the error');
  });

  it(
    'reconnects after the server restarts and shows code edited while it was down',
    E2E,
    async () => {
      const page = await open();
      const code = await server.stop('SIGTERM');
      expect(code).toBe(0);
      await waitFor(() => page.console.some((line) => line.includes('Disconnected')), {
        timeoutMs: 10_000,
        message: 'the client to notice the server is gone',
      });
      await app.edit('src/greeting.ts', (s) => s.replace(GREETING, 'Hello after the restart'));
      const messagesBefore = page.messages.length;
      server = await start();
      await page.waitForText('#greeting', 'Hello after the restart', 45_000);
      expect(await page.overlayText()).toBeNull();
      // Connected again: the next edit arrives as well.
      await page.waitForConnection(messagesBefore);
      await app.edit('src/greeting.ts', (s) =>
        s.replace('after the restart', 'after one more edit'),
      );
      await page.waitForText('#greeting', 'Hello after one more edit');
    },
  );

  it(
    'refuses a WebSocket from a foreign Origin and a request with a foreign Host',
    E2E,
    async () => {
      const sameOrigin = `http://127.0.0.1:${port}`;
      const evil = 'http://evil.example';
      // ws: the socket path itself. sockjs: its raw endpoint and the framed one sockjs-client uses.
      const endpoints =
        transport === 'ws'
          ? [{ path: '/ws', framed: false }]
          : [
              { path: '/ws/websocket', framed: false },
              { path: '/ws/000/e2eprobe/websocket', framed: true },
            ];
      for (const endpoint of endpoints) {
        // The control: the same probe from the page's own origin gets the greeting and the build.
        const good = await probeSocket({
          port,
          ...endpoint,
          origin: sameOrigin,
          until: (m) => messageType(m) === 'ok',
        });
        expect(good.messages.map(messageType)).toEqual(
          expect.arrayContaining(['hot', 'hash', 'ok']),
        );

        const bad = await probeSocket({ port, ...endpoint, origin: evil });
        expect(bad.closed).toBe(true);
        expect(bad.messages.map(messageType)).toEqual(['error']);
        expect(JSON.parse(bad.messages[0]!).data).toMatch(/Invalid Host\/Origin header/);
      }

      const refused = await httpRequest(port, '/', { Host: 'evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.body).toBe('Invalid Host header');
      const main = await httpRequest(port, '/main.js', { Host: `evil.example:${port}` });
      expect(main.status).toBe(403);
      const allowed = await httpRequest(port, '/', { Host: `localhost:${port}` });
      expect(allowed.status).toBe(200);
    },
  );

  it('ends ten edits 50 ms apart on the last one', E2E, async () => {
    const page = await open();
    for (let i = 1; i <= 10; i += 1) {
      await app.write('src/greeting.ts', `export const greeting = 'Hello, edit ${i}';\n`);
      await sleep(50);
    }
    // Hot updates, or a reload if the client falls too far behind (webpack-dev-server 5 does
    // that too): either way the page must end on the last edit.
    await page.waitForText('#greeting', 'Hello, edit 10', 30_000);
    // And stay there: no late, older update lands after it.
    await sleep(1500);
    expect(await page.text('#greeting')).toBe('Hello, edit 10');
    expect(await page.overlayText()).toBeNull();
  });
});
