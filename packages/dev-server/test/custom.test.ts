import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getFreePort } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import { DevServer, DevServerError, type DevServerOptions } from '../src/index';
import {
  createCompiler,
  createProject,
  type FrameClient,
  type Project,
  request,
  useDevServers,
  watcherSettled,
} from './helpers';

const WS_PATH = createRequire(import.meta.url).resolve('ws');

let project: Project | undefined;
let server: DevServer | undefined;
const servers = useDevServers(() => [server, project]);

// A socket server written for webpack-dev-server 5, the way its docs show:
// the class gets the dev server, attaches to devServer.server, sets
// `implementation` and keeps `clients`.
const CUSTOM_SERVER = `const { WebSocketServer } = require(${JSON.stringify(WS_PATH)});
module.exports = class CustomServer {
  constructor(server) {
    this.server = server;
    this.clients = [];
    this.implementation = new WebSocketServer({ noServer: true });
    const path = server.options.webSocketServer.options.path;
    server.server.on('upgrade', (req, socket, head) => {
      if (req.url !== path) return;
      this.implementation.handleUpgrade(req, socket, head, (client) => {
        this.implementation.emit('connection', client, req);
      });
    });
    this.implementation.on('connection', (client) => {
      this.clients.push(client);
      client.on('close', () => { this.clients = this.clients.filter((c) => c !== client); });
    });
  }
};
`;

// A custom server module (server: path): createServer(options, listener), here an http
// server that marks its responses.
const SERVER_MODULE = `const http = require('node:http');
exports.createServer = (options, listener) => http.createServer((req, res) => {
  res.setHeader('x-custom-server', String(options.mark));
  listener(req, res);
});
`;

async function start(options: DevServerOptions, files: Record<string, string> = {}) {
  project = await createProject(files);
  const port = await getFreePort();
  const cwd = process.cwd();
  // Module paths resolve from the project, as from a user's cwd.
  process.chdir(project.dir);
  try {
    server = new DevServer(
      { host: '127.0.0.1', port, static: false, setupExitSignals: false, ...options },
      createCompiler(project.dir),
    );
  } finally {
    process.chdir(cwd);
  }
  await server.start();
  await server.middleware?.ready();
  // No rebuild in flight (see watcherSettled) when a test counts the frames a client gets.
  await watcherSettled(server.compiler);
  return { port, dir: project.dir };
}

const frames = (url: string, headers: Record<string, string> = {}): Promise<FrameClient> =>
  servers.frames(url, headers);

describe('DevServer: a custom webSocketServer (webpack-dev-server 5 class contract)', () => {
  for (const form of ['module path', 'class', '{ type: path }'] as const) {
    it(`as a ${form}: greets and broadcasts through it, Host/Origin checks kept`, async () => {
      project = await createProject({ 'custom-server.cjs': CUSTOM_SERVER });
      const file = join(project.dir, 'custom-server.cjs');
      const Class = createRequire(import.meta.url)(file);
      const value = form === 'module path' ? file : form === 'class' ? Class : { type: file };
      await project.cleanup();
      const { port } = await start(
        { webSocketServer: value },
        { 'custom-server.cjs': CUSTOM_SERVER },
      );
      const client = await frames(`ws://127.0.0.1:${port}/ws`);
      await client.waitForType('ok');
      expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);
      server?.sendMessage('custom', 1);
      await client.waitForType('custom');

      const foreign = await frames(`ws://127.0.0.1:${port}/ws`, { origin: 'http://evil.test' });
      await foreign.closed;
      expect(foreign.frames).toEqual([{ type: 'error', data: 'Invalid Host/Origin header' }]);

      await server?.stop();
      await client.closed;
    });
  }

  it('names the option when the module cannot be found or exports no class', async () => {
    project = await createProject({ 'not-a-class.cjs': 'module.exports = 42;\n' });
    const { dir } = project;
    const compiler = createCompiler(dir);
    expect(() => new DevServer({ webSocketServer: './missing-server.cjs' }, compiler)).toThrow(
      /devServer\.webSocketServer should be .*BaseServer.*cannot resolve "\.\/missing-server\.cjs"/,
    );
    expect(
      () => new DevServer({ webSocketServer: { type: join(dir, 'not-a-class.cjs') } }, compiler),
    ).toThrow(/devServer\.webSocketServer\.type .*exports no class/);
  });
});

describe('DevServer: webSocketServer.options.host / .port', () => {
  it('listens for the socket on that port too, and the client dials it', async () => {
    const wsPort = await getFreePort();
    const { port } = await start({
      webSocketServer: { type: 'ws', options: { host: '127.0.0.1', port: wsPort } },
    });
    const bundle = await request(port, '/main.js');
    expect(bundle.body).toContain(`hostname=127.0.0.1&port=${wsPort}&pathname=%2Fws`);
    const client = await frames(`ws://127.0.0.1:${wsPort}/ws`);
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);
    // The main port still serves the socket too (webpack-dev-server's ws.Server does both).
    const main = await frames(`ws://127.0.0.1:${port}/ws`);
    await main.waitForType('ok');
    expect((await request(wsPort, '/main.js')).status).toBe(426);
    await server?.stop();
    await client.closed;
    await expect(request(wsPort, '/')).rejects.toThrow();
  });

  it('rejects a port that is not a number', () => {
    expect(
      () =>
        new DevServer(
          { webSocketServer: { type: 'ws', options: { port: 'x' } } },
          createCompiler(process.cwd()),
        ),
    ).toThrow(DevServerError);
  });
});

describe('DevServer: a custom server module or function as server / server.type', () => {
  for (const form of ['server: path', 'server.type: path', 'server.type: function'] as const) {
    it(`${form}: serves through the server it creates, with server.options`, async () => {
      project = await createProject({ 'server.cjs': SERVER_MODULE });
      const file = join(project.dir, 'server.cjs');
      const factory = createRequire(import.meta.url)(file).createServer;
      await project.cleanup();
      const option =
        form === 'server: path'
          ? file
          : form === 'server.type: path'
            ? { type: file, options: { mark: 'yes' } }
            : { type: factory, options: { mark: 'yes' } };
      const { port } = await start({ server: option }, { 'server.cjs': SERVER_MODULE });
      const response = await request(port, '/main.js');
      expect(response.status).toBe(200);
      expect(response.headers['x-custom-server']).toBe(
        form === 'server: path' ? 'undefined' : 'yes',
      );
      const client = await frames(`ws://127.0.0.1:${port}/ws`);
      await client.waitForType('ok');
    });
  }

  it('names the option when the module has no createServer', async () => {
    project = await createProject({ 'nothing.cjs': 'module.exports = {};\n' });
    expect(
      () =>
        new DevServer(
          { server: { type: join(project!.dir, 'nothing.cjs') } },
          createCompiler(project!.dir),
        ),
    ).toThrow(/devServer\.server\.type should be .*exports no createServer/);
  });
});
