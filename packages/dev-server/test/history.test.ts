import { getFreePort } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { DevServer, type DevServerOptions } from '../src/index';
import {
  connectFrames,
  createCompiler,
  createProject,
  type FrameClient,
  type Project,
  request,
} from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
const clients: FrameClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
  await project?.cleanup();
  project = undefined;
});

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
  project = await createProject(files);
  const port = await getFreePort();
  server = new DevServer(
    { host: '127.0.0.1', port, setupExitSignals: false, ...options },
    createCompiler(project.dir, config),
  );
  await server.start();
  await server.middleware?.ready();
  return port;
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
    const client = await connectFrames(`ws://127.0.0.1:${port}/ws`);
    clients.push(client);
    await client.waitForType('hash');
    await client.waitForType('ok');
    expect(client.types()).not.toContain('warnings');
  });

  it('sends them without the filter', async () => {
    const port = await start({ static: false }, files);
    const client = await connectFrames(`ws://127.0.0.1:${port}/ws`);
    clients.push(client);
    await client.waitForType('warnings');
    const frame = client.frames.find((f) => f.type === 'warnings');
    expect(JSON.stringify(frame?.data)).toContain('was not found');
  });
});
