// The README's "Run it" block as a contributor runs it in apps/demo-react: the workspace is
// installed already (the `pnpm install` line), `pnpm dev` serves the React app with Fast Refresh.
// The test adds `--host 127.0.0.1` and a free port in place of the config's 8081.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeBlock, readmeBlocks, readmeCommands, stopSpawned } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevLine } from '../../demo/test/harness';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const shell = readmeBlocks(join(APP_DIR, 'README.md'), 'example-sh');

afterEach(async () => {
  await stopSpawned();
});

describe('apps/demo-react README: pnpm dev', () => {
  it('serves the React app, its bundle with React Refresh on hmrkit’s socket', async () => {
    expect([...shell.keys()]).toEqual(['run']);
    const lines = readmeCommands(readmeBlock(shell, 'run'));
    expect(lines).toEqual(['pnpm install', 'pnpm dev']);
    const { url, output } = await startDevLine(lines[1] as string, APP_DIR);
    expect(output()).toMatch(/✓ compiled in \d+ ms/);
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>hmrkit React demo</title>');
    const bundle = await (await fetch(new URL('main.js', url))).text();
    // The plugin's runtime is in, and its socket request became @hmrkit/client/wds-socket.
    expect(bundle.includes('$Refresh$')).toBe(true);
    expect(/client\/dist\/wdsSocket\.c?js/.test(bundle)).toBe(true);
  }, 180_000);
});
