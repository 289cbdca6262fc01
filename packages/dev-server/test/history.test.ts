import { describe, expect, it } from 'vitest';
import type { DevServer, DevServerOptions } from '../src/index';
import { type createCompiler, request, useDevServers } from './helpers';

let server: DevServer | undefined;
const servers = useDevServers();

/** infrastructureLogging at 'info' into a list, as a user's terminal would show it. */
function captureConsole(): { lines: string[]; console: Console } {
  const lines: string[] = [];
  const push = (...args: unknown[]): void => {
    lines.push(args.map(String).join(' '));
  };
  const fake = {
    log: push,
    info: push,
    warn: push,
    error: push,
    debug: push,
  } as unknown as Console;
  return { lines, console: fake };
}

async function start(
  options: DevServerOptions,
  files: Record<string, string>,
  config: Parameters<typeof createCompiler>[1] = {},
): Promise<number> {
  const started = await servers.start(options, files, config);
  server = started.server;
  return started.port;
}

describe('DevServer: historyApiFallback.verbose', () => {
  for (const verbose of [true, false]) {
    it(`verbose: ${verbose} ${verbose ? 'shows' : 'keeps at log level'} the rewrites`, async () => {
      const { lines, console } = captureConsole();
      const port = await start(
        { static: false, historyApiFallback: { verbose, index: '/main.js' } },
        {},
        { infrastructureLogging: { level: 'info', console } },
      );
      const page = await request(port, '/some/route', { accept: 'text/html' });
      expect(page.status).toBe(200);
      const rewrites = lines.filter((line) =>
        line.includes('Rewriting GET /some/route to /main.js'),
      );
      expect(rewrites).toHaveLength(verbose ? 1 : 0);
      if (verbose) expect(rewrites[0]).toContain('[connect-history-api-fallback]');
    });
  }
});

describe('DevServer: stats.warningsFilter', () => {
  const files = {
    'src/index.js': "import { missing } from './lib.js';\nconsole.log(missing);\n",
    'src/lib.js': 'export const present = 1;\n',
  };

  it('drops the matching warnings from the frames (ok instead of warnings)', async () => {
    const port = await start({ static: false }, files, {
      stats: { preset: 'none', warningsFilter: [/was not found/] },
    });
    expect(server?.stats?.hasWarnings()).toBe(true);
    const client = await servers.frames(`ws://127.0.0.1:${port}/ws`);
    await client.waitForType('hash');
    await client.waitForType('ok');
    expect(client.types()).not.toContain('warnings');
  });

  it('sends them without the filter', async () => {
    const port = await start({ static: false }, files);
    const client = await servers.frames(`ws://127.0.0.1:${port}/ws`);
    await client.waitForType('warnings');
    const frame = client.frames.find((f) => f.type === 'warnings');
    expect(JSON.stringify(frame?.data)).toContain('was not found');
  });
});
