// End-to-end: webpack-dev-server 5's overlay filter functions, unchanged. The
// demo's config gets `client.overlay.runtimeErrors` as a function (the snippet
// webpack-dev-server's docs give for ResizeObserver noise); `hmrkit serve`
// sends it in the entry query as webpack-dev-server 5 does and the client
// calls it for each uncaught error in headless Chromium.
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppCopy,
  createAppCopy,
  type DemoServer,
  openDemoPage,
  startDemoServer,
  useCliAndBrowser,
} from './harness';

const RESIZE_OBSERVER = 'ResizeObserver loop completed with undelivered notifications.';

// The CLI and Chromium for this file; after it, the browser closes and leftover servers die.
const env = useCliAndBrowser();
let app: AppCopy;
let server: DemoServer;

beforeAll(async () => {
  app = await createAppCopy();
  await app.edit('webpack.config.js', (source) =>
    source.replace(
      '    static: false,\n',
      [
        '    static: false,',
        '    client: {',
        '      overlay: {',
        '        runtimeErrors: (error) => {',
        "          if (error.message === 'ResizeObserver loop completed with undelivered notifications.') {",
        '            return false;',
        '          }',
        '          return true;',
        '        },',
        '      },',
        '    },',
        '',
      ].join('\n'),
    ),
  );
  server = await startDemoServer({
    bin: env.bin,
    appDir: app.dir,
    port: await getFreePort(),
    transport: 'ws',
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await app?.remove();
});

describe('client.overlay.runtimeErrors as a function (webpack-dev-server 5 config)', () => {
  it('keeps a filtered-out error off the overlay and shows another one', async () => {
    const demo = await openDemoPage(env.browser, server.url);
    try {
      await demo.waitForConnection();
      const raise = (message: string): Promise<void> =>
        demo.page.evaluate((text) => {
          setTimeout(() => {
            throw new Error(text);
          });
        }, message);

      // In order: once the second error is on the overlay, the first one has
      // been through the filter too.
      await raise(RESIZE_OBSERVER);
      await raise('a real bug');
      const text = await waitFor(
        async () => {
          const current = await demo.overlayText();
          return current?.includes('a real bug') ? current : null;
        },
        { timeoutMs: 20_000, message: 'the unfiltered error on the overlay' },
      );
      expect(text).not.toContain('ResizeObserver');
      // Both were uncaught page errors: only the overlay filtered.
      expect(demo.errors.filter((line) => line.includes('ResizeObserver'))).toHaveLength(1);
      expect(demo.console.some((line) => line.includes('overlay filter'))).toBe(false);
    } finally {
      await demo.close();
    }
  }, 60_000);

  it('with only the filtered error, the overlay stays closed', async () => {
    const demo = await openDemoPage(env.browser, server.url);
    try {
      await demo.waitForConnection();
      const seen = demo.errors.length;
      await demo.page.evaluate((text) => {
        setTimeout(() => {
          throw new Error(text);
        });
      }, RESIZE_OBSERVER);
      // The page saw the error (the filter ran for it) and no overlay came up.
      await waitFor(() => demo.errors.length > seen, { message: 'the page error' });
      await demo.page.evaluate(
        () => new Promise((done) => requestAnimationFrame(() => done(null))),
      );
      expect(await demo.overlayText()).toBeNull();
    } finally {
      await demo.close();
    }
  }, 60_000);
});
