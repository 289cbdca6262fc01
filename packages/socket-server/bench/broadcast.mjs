// Broadcast latency: @hmrkit/socket-server vs webpack-dev-server 5's own ws
// socket server, same clients, same loopback, one run. Not a test: it prints
// medians. Run with `pnpm --filter @hmrkit/socket-server bench` (builds first).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createSocketServer } from '../dist/index.js';

const require = createRequire(import.meta.url);
const webpack = require('webpack');
const WebpackDevServer = require('webpack-dev-server');

const COUNTS = [1, 100, 1000];
const ROUNDS = { 1: 200, 100: 100, 1000: 40 };
const WARMUP = 5;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startOurs() {
  const http = createServer((_req, res) => res.end());
  const sockets = createSocketServer();
  sockets.attach(http);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    name: '@hmrkit/socket-server',
    port: http.address().port,
    broadcast: (data) => sockets.broadcast({ type: 'hash', data }),
    async stop() {
      await sockets.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

async function startWds(dir) {
  writeFileSync(join(dir, 'index.js'), 'console.log("bench");\n');
  const compiler = webpack({
    mode: 'development',
    context: dir,
    entry: './index.js',
    output: { path: join(dir, 'dist') },
    devtool: false,
    infrastructureLogging: { level: 'error' },
    stats: 'none',
  });
  const port = await freePort();
  const server = new WebpackDevServer(
    { host: '127.0.0.1', port, hot: true, static: false, setupExitSignals: false, open: false },
    compiler,
  );
  await server.start();
  // Wait for the first build so clients get their greeting before we measure.
  await new Promise((resolve) => server.middleware.waitUntilValid(resolve));
  return {
    name: 'webpack-dev-server 5',
    port,
    // webpack-dev-server's own broadcast path (JSON.stringify per client).
    broadcast: (data) => server.sendMessage(server.webSocketServer.clients, 'hash', data),
    stop: () => server.stop(),
  };
}

/** N clients that count how many of them received a frame carrying `marker`. */
async function connectClients(port, count) {
  const origin = `http://127.0.0.1:${port}`;
  const waiting = new Map();
  const clients = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin, perMessageDeflate: false });
      ws.on('message', (data) => {
        const text = data.toString();
        const entry = waiting.get(text);
        if (entry && --entry.left === 0) entry.done(performance.now());
      });
      clients.push(ws);
      return new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
    });
    await Promise.all(batch);
  }
  return {
    clients,
    expect(text) {
      return new Promise((done) => waiting.set(text, { left: count, done }));
    },
    close: () =>
      Promise.all(
        clients.map(
          (ws) =>
            new Promise((r) => {
              ws.once('close', r);
              ws.close();
            }),
        ),
      ),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function measure(server, group, round) {
  const marker = `${server.name}-${round}`;
  const text = JSON.stringify({ type: 'hash', data: marker });
  const received = group.expect(text);
  const start = performance.now();
  server.broadcast(marker);
  const end = await received;
  return end - start;
}

const dir = mkdtempSync(join(tmpdir(), 'hmrkit-bench-'));
const results = [];
try {
  const ours = await startOurs();
  const wds = await startWds(dir);
  for (const count of COUNTS) {
    const groups = [
      [ours, await connectClients(ours.port, count)],
      [wds, await connectClients(wds.port, count)],
    ];
    // Let the greeting frames settle.
    await new Promise((r) => setTimeout(r, 300));
    const times = new Map(groups.map(([server]) => [server, []]));
    for (let round = 0; round < WARMUP + ROUNDS[count]; round++) {
      // Alternate who goes first so neither always runs on a warmer loop.
      const order = round % 2 ? [...groups].reverse() : groups;
      for (const [server, group] of order) {
        const ms = await measure(server, group, `${count}-${round}`);
        if (round >= WARMUP) times.get(server).push(ms);
      }
    }
    const oursMs = median(times.get(ours));
    const wdsMs = median(times.get(wds));
    results.push({ clients: count, rounds: ROUNDS[count], oursMs, wdsMs, ratio: wdsMs / oursMs });
    for (const [, group] of groups) await group.close();
  }
  await ours.stop();
  await wds.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const version = (name) => require(`${name}/package.json`).version;
console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ws ${version('ws')}, ` +
    `webpack-dev-server ${version('webpack-dev-server')}, webpack ${version('webpack')}`,
);
console.log('Median time from broadcast() to the last client receiving the frame (loopback):\n');
console.log('| clients | rounds | @hmrkit/socket-server | webpack-dev-server 5 | wds / ours |');
console.log('|--------:|-------:|----------------------:|---------------------:|-----------:|');
for (const r of results) {
  console.log(
    `| ${r.clients} | ${r.rounds} | ${r.oursMs.toFixed(3)} ms | ${r.wdsMs.toFixed(3)} ms | ${r.ratio.toFixed(2)}× |`,
  );
}
