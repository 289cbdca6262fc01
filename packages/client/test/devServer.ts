// A minimal stand-in for the dev-server, for the real-browser tests: a webpack
// 5 compiler in watch mode writing to disk, a node:http static server over its
// output, and a `ws` server on the same port sending protocol frames built with
// @hmrkit/protocol on compiler hooks (invalid → hash → ok | warnings/errors).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import {
  createErrorsMessage,
  createHashMessage,
  createHotMessage,
  createInvalidMessage,
  createLiveReloadMessage,
  createOkMessage,
  createOverlayMessage,
  createReconnectMessage,
  createWarningsMessage,
  normalizeProblems,
  type ServerMessage,
  serializeMessage,
} from '@hmrkit/protocol';
import webpack, { type Compiler, type Configuration, type Stats, type Watching } from 'webpack';
import { WebSocket, WebSocketServer } from 'ws';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export interface TestServer {
  port: number;
  /** Resolves after the next `done` of the compiler. */
  nextBuild(): Promise<Stats>;
  close(): Promise<void>;
}

/** Starts watch-mode compilation and serves it with a ws frame channel on `port`. */
export async function startTestServer(config: Configuration, port: number): Promise<TestServer> {
  const compiler: Compiler = webpack(config);
  const outputDir = config.output?.path as string;
  const wss = new WebSocketServer({ noServer: true });
  let lastStats: Stats | undefined;
  let waiters: ((stats: Stats) => void)[] = [];

  const broadcast = (...messages: ServerMessage[]): void => {
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      for (const message of messages) client.send(serializeMessage(message));
    }
  };
  const statsMessages = (stats: Stats): ServerMessage[] => {
    const json = stats.toJson({ all: false, hash: true, errors: true, warnings: true });
    const errors = normalizeProblems(json.errors);
    const warnings = normalizeProblems(json.warnings);
    const messages: ServerMessage[] = [createHashMessage(json.hash ?? '')];
    if (warnings.length) {
      messages.push(
        createWarningsMessage(warnings, errors.length ? { preventReloading: true } : undefined),
      );
    }
    if (errors.length) messages.push(createErrorsMessage(errors));
    if (!errors.length && !warnings.length) messages.push(createOkMessage());
    return messages;
  };

  compiler.hooks.invalid.tap('hmrkit-test', () => broadcast(createInvalidMessage()));
  compiler.hooks.done.tap('hmrkit-test', (stats) => {
    lastStats = stats;
    broadcast(...statsMessages(stats));
    const current = waiters;
    waiters = [];
    for (const resolve of current) resolve(stats);
  });

  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(outputDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(outputDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const hello: ServerMessage[] = [
        createHotMessage(),
        createLiveReloadMessage(),
        createReconnectMessage(10),
        createOverlayMessage(true),
      ];
      if (lastStats) hello.push(...statsMessages(lastStats));
      for (const message of hello) ws.send(serializeMessage(message));
    });
  });

  const firstBuild = new Promise<Stats>((resolve) => waiters.push(resolve));
  const watching: Watching | undefined = compiler.watch({ aggregateTimeout: 20 }, (error) => {
    if (error) throw error;
  });
  await firstBuild;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port,
    nextBuild: () => new Promise<Stats>((resolve) => waiters.push(resolve)),
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) =>
        watching ? watching.close(() => resolve()) : resolve(),
      );
      await new Promise<void>((resolve) => compiler.close(() => resolve()));
    },
  };
}
