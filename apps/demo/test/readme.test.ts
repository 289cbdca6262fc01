// The README's `pnpm dev` line with flags, run as a contributor runs it, from apps/demo and from
// the repository root ("the same way from both folders"): what it claims, a page on the given
// port and the sockjs transport. The test sets `--host 127.0.0.1` and its own free port.
import { join } from 'node:path';
import { readmeBlock, readmeBlocks, readmeCommands, stopSpawned } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_DIR, REPO_DIR, startDevLine } from './harness';

const shell = readmeBlocks(join(DEMO_DIR, 'README.md'), 'example-sh');

afterEach(async () => {
  await stopSpawned();
});

describe('apps/demo README: pnpm dev with webpack serve flags', () => {
  it('has the block this test runs', () => {
    expect([...shell.keys()]).toEqual(['dev-flags']);
  });

  it.each([
    ['apps/demo', DEMO_DIR],
    ['the repository root', REPO_DIR],
  ])(
    'from %s: serves the demo page, with the socket on sockjs',
    async (_where, cwd) => {
      const [line, ...rest] = readmeCommands(readmeBlock(shell, 'dev-flags'));
      expect(rest).toEqual([]);
      expect(line).toBe('pnpm dev --port 3000 --web-socket-server sockjs');
      const { url } = await startDevLine(line as string, cwd);
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>hmrkit demo</title>');
      // sockjs's info endpoint answers on the socket path: the transport is sockjs, not ws.
      const info = await fetch(new URL('ws/info', url));
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ websocket: true });
    },
    180_000,
  );
});
