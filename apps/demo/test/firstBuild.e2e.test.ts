// End-to-end: `hmrkit serve` started while a source file is broken. Until a
// build succeeds, a page request gets a page that shows the errors in hmrkit's
// overlay (webpack-dev-server answers 200 with its overlay; hmrkit used to
// answer 404 "Cannot GET /"), and that page turns into the app by itself once
// a build succeeds.
import { getFreePort } from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppCopy,
  createAppCopy,
  type DemoServer,
  httpRequest,
  openDemoPage,
  startDemoServer,
  useCliAndBrowser,
} from './harness';

const GREETING = 'Hello from hmrkit';
// The CLI and Chromium for this file; after it, the browser closes and leftover servers die.
const env = useCliAndBrowser();
let app: AppCopy;
let server: DemoServer;

beforeAll(async () => {
  app = await createAppCopy();
  await app.edit('src/greeting.ts', (source) => `${source}\nexport const broken = ;\n`);
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

describe('hmrkit serve with a broken file from the start', () => {
  it('answers a page request with the errors in the overlay, then becomes the app once fixed', async () => {
    expect(server.output()).toMatch(/compiled with \d+ errors?/);
    for (const path of ['/', '/some/route']) {
      const page = await httpRequest(server.port, path, { Accept: 'text/html' });
      expect(page.status).toBe(200);
      expect(page.body).toContain('/webpack-dev-server/hmrkit-first-build.js');
    }
    // Not a page request: nothing was built, so nothing to serve.
    expect((await httpRequest(server.port, '/main.js')).status).toBe(404);

    const demo = await openDemoPage(env.browser, server.url);
    try {
      const overlay = await demo.waitForOverlay('greeting.ts');
      expect(overlay).toContain('Failed to compile');

      const builds = server.builds();
      await app.restore();
      await server.waitForBuild(builds);
      // The page reloads into the app by itself.
      await demo.waitForText('#greeting', GREETING, 30_000);
      expect(await demo.overlayText()).toBeNull();
      expect(demo.loads()).toBeGreaterThanOrEqual(2);
    } finally {
      await demo.close();
    }

    // After a good build, a missing page is a 404 again.
    expect((await httpRequest(server.port, '/nothing-here', { Accept: 'text/html' })).status).toBe(
      404,
    );
  }, 90_000);
});
