import { createServer, type Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DevServer } from '../src/index';
import {
  connectFrames,
  createCompiler,
  createProject,
  type Project,
  request,
  useDevServers,
  watcherSettled,
} from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
const servers = useDevServers(() => [server, project]);

describe('DevServer: sockjs', () => {
  it('serves the sockjs endpoints on /ws and bundles the sockjs transport', async () => {
    project = await createProject();
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        static: false,
        setupExitSignals: false,
        webSocketServer: 'sockjs',
      },
      createCompiler(project.dir),
    );
    await server.start();
    await server.middleware?.ready();
    await watcherSettled(server.compiler);
    const port = server.options.port as number;
    const info = await request(port, '/ws/info');
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ websocket: true });
    const bundle = await request(port, '/main.js');
    expect(bundle.body).toContain('transports/sockjs');
    expect(bundle.body).toContain('sockjs-client');

    // sockjs's raw websocket endpoint speaks the same frames.
    const client = await connectFrames(`ws://127.0.0.1:${port}/ws/websocket`);
    servers.defer(() => client.close());
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);
  });
});

describe('DevServer: proxy', () => {
  it('proxies HTTP and ws:true upgrades but never the HMR socket path', async () => {
    // A backend with HTTP and a WebSocket endpoint.
    const backendPort = await getFreePort();
    const backend: Server = createServer((req, res) => res.end(`backend ${req.url}`));
    const backendSockets = new WebSocketServer({ server: backend });
    backendSockets.on('connection', (socket) => socket.send('from backend'));
    await new Promise<void>((resolve) => backend.listen(backendPort, '127.0.0.1', resolve));
    servers.defer(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of backendSockets.clients) socket.terminate();
          backendSockets.close();
          backend.closeAllConnections();
          backend.close(() => resolve());
        }),
    );

    project = await createProject();
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        static: false,
        setupExitSignals: false,
        // The broadest possible proxy: everything, WebSockets too.
        proxy: [
          {
            context: ['/api', '/ws', '/live'],
            target: `http://127.0.0.1:${backendPort}`,
            ws: true,
          },
        ],
      },
      createCompiler(project.dir),
    );
    await server.start();
    await server.middleware?.ready();
    const port = server.options.port as number;
    expect((await request(port, '/api/users')).body).toBe('backend /api/users');
    expect((await request(port, '/main.js')).status).toBe(200);

    // /ws stays ours: the greeting, not the backend's message.
    const hmr = await connectFrames(`ws://127.0.0.1:${port}/ws`);
    servers.defer(() => hmr.close());
    await hmr.waitForType('ok');
    expect(hmr.types()[0]).toBe('hot');

    // Another path goes to the backend.
    const live = new WebSocket(`ws://127.0.0.1:${port}/live`, {
      headers: { origin: `http://127.0.0.1:${port}` },
    });
    servers.defer(() => live.terminate());
    const message = await new Promise<string>((resolve, reject) => {
      live.once('message', (data) => resolve(String(data)));
      live.once('error', reject);
    });
    expect(message).toBe('from backend');
  });
});

describe('DevServer: https', () => {
  it('serves TLS with a generated self-signed certificate and wss:// in the client query', async () => {
    project = await createProject();
    // The certificate cache goes under the project's node_modules/.cache.
    const cwd = process.cwd();
    process.chdir(project.dir);
    servers.defer(() => process.chdir(cwd));
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        static: false,
        setupExitSignals: false,
        server: 'https',
      },
      createCompiler(project.dir),
    );
    await server.start();
    await server.middleware?.ready();
    const port = server.options.port as number;
    expect(server.getUrls().local).toBe(`https://127.0.0.1:${port}/`);
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet(
        {
          host: '127.0.0.1',
          port,
          path: '/main.js',
          rejectUnauthorized: false,
          headers: { host: `localhost:${port}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        },
      ).on('error', reject);
    });
    expect(body).toContain('protocol=wss%3A');
    const wss = new WebSocket(`wss://127.0.0.1:${port}/ws`, {
      rejectUnauthorized: false,
      headers: { origin: `https://127.0.0.1:${port}` },
    });
    servers.defer(() => wss.terminate());
    const first = await new Promise<string>((resolve, reject) => {
      wss.once('message', (data) => resolve(String(data)));
      wss.once('error', reject);
    });
    expect(JSON.parse(first)).toEqual({ type: 'hot' });
    await waitFor(() => server?.stats);
  });
});
