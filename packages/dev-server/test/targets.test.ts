import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import { createCompiler, createProject, type Project, request, useDevServers } from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
useDevServers(() => [server, project]);

const CLIENT_MARK = 'live-reload=true';
// The runtime entry's own startup line (webpack's hot/dev-server prints the same).
const RUNTIME_LINE = '[HMR] Waiting for update signal from WDS...';

async function build(
  target: string,
  options: ConstructorParameters<typeof DevServer>[0] = {},
): Promise<{ body: string; port: number }> {
  project = await createProject({ 'src/index.js': "console.log('hot:', typeof module.hot);\n" });
  server = new DevServer(
    { host: '127.0.0.1', port: 0, static: false, setupExitSignals: false, ...options },
    createCompiler(project.dir, { target }),
  );
  await server.start();
  const stats = await server.middleware?.ready();
  expect(stats?.hasErrors()).toBe(false);
  const port = server.options.port as number;
  const response = await request(port, '/main.js');
  expect(response.status).toBe(200);
  return { body: response.body, port };
}

/** Runs a node-target bundle the way the user's program would, and returns what it printed. */
function runInNode(body: string): string {
  const file = join(project!.dir, 'bundle.cjs');
  writeFileSync(file, body);
  return execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
}

describe('DevServer: targets (webpack-dev-server 5 rules)', () => {
  for (const target of ['node', 'async-node', 'electron-main']) {
    it(`${target}: the HMR runtime entry and module.hot, no browser client`, async () => {
      // infrastructureLogging is 'none' in these tests: the runtime would print nothing.
      const { body } = await build(target, { client: { logging: 'info' } });
      expect(body).not.toContain(CLIENT_MARK);
      expect(body).toContain('Waiting for update signal from WDS...');
      if (target === 'electron-main') return; // needs electron to run
      const printed = runInNode(body);
      expect(printed).toContain(RUNTIME_LINE);
      expect(printed).toContain('hot: object');
    });
  }

  // webpack 5.112 gives these targets platform.web = true; webpack-dev-server
  // 5.2.7 injects its client for them (checked: its bundle for each of them has
  // webpack-dev-server/client/index.js), so hmrkit does too.
  for (const target of ['electron-renderer', 'electron-preload', 'nwjs', 'node-webkit']) {
    it(`${target}: the browser client, as webpack-dev-server 5 injects it`, async () => {
      const { body } = await build(target);
      expect(body).toContain(CLIENT_MARK);
    });
  }
});

describe('DevServer: webSocketServer: false', () => {
  it('injects no client, no HMR runtime and no HMR plugin, and serves no socket', async () => {
    const { body, port } = await build('web', { webSocketServer: false });
    expect(body).not.toContain(CLIENT_MARK);
    expect(body).not.toContain('Waiting for update signal from WDS...');
    expect(body).not.toContain('__webpack_require__.hmrM');
    expect(server?.socketServer).toBeUndefined();
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { origin: `http://127.0.0.1:${port}` },
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('error', () => resolve('error'));
    });
    socket.terminate();
    expect(outcome).toBe('error');
  });
});

describe('DevServer: WEBPACK_SERVE', () => {
  it('is "true" in the environment once a DevServer exists, as webpack-dev-server sets it', () => {
    const before = process.env.WEBPACK_SERVE;
    delete process.env.WEBPACK_SERVE;
    try {
      new DevServer({ static: false }, createCompiler(process.cwd()));
      expect(process.env.WEBPACK_SERVE).toBe('true');
    } finally {
      if (before === undefined) delete process.env.WEBPACK_SERVE;
      else process.env.WEBPACK_SERVE = before;
    }
  });
});
