// Serves a ~1 MB bundle (200 and 304 paths) from @hmrkit/memfs-middleware under node:http and
// from webpack-dev-middleware 7 under express, one after the other in one run, and prints
// requests/s and p99 latency for both. Load stays on 127.0.0.1 and is bounded in time.
//
//   pnpm --filter @hmrkit/memfs-middleware bench        (BENCH_DURATION=seconds, default 5)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import webpack from 'webpack';
import webpackDevMiddleware from 'webpack-dev-middleware';
import { createMemfsMiddleware } from '../dist/index.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function createProject() {
  const dir = mkdtempSync(join(tmpdir(), 'hmrkit-bench-'));
  mkdirSync(join(dir, 'src'));
  // ~1 MB of distinct functions, so the bundle is realistic text rather than one long string.
  const lines = [];
  for (let i = 0; i < 9000; i++) {
    lines.push(
      `export function f${i}(a, b) { return (a * ${i} + b) % ${i + 7} + ${JSON.stringify(`value-${i}`)}.length; }`,
    );
  }
  writeFileSync(join(dir, 'src/index.js'), `${lines.join('\n')}\n`);
  return dir;
}

function createCompiler(dir) {
  return webpack({
    mode: 'development',
    context: dir,
    entry: './src/index.js',
    devtool: false,
    stats: 'none',
    infrastructureLogging: { level: 'none' },
    optimization: { usedExports: false },
    output: { path: join(dir, 'dist'), filename: 'bundle.js', publicPath: '/' },
  });
}

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function load(port, headers) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/bundle.js`,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
  });
  const expected = headers ? result['3xx'] : result['2xx'];
  if (result.errors || result.non2xx - (headers ? result['3xx'] : 0) || expected === 0) {
    throw new Error(
      `unexpected responses: ${JSON.stringify({ errors: result.errors, non2xx: result.non2xx, expected })}`,
    );
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function fetchEtag(port) {
  const response = await fetch(`http://127.0.0.1:${port}/bundle.js`);
  const body = await response.arrayBuffer();
  return { etag: response.headers.get('etag'), bytes: body.byteLength };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dir = createProject();
  const options = { stats: false, etag: 'weak' };

  const oursCompiler = createCompiler(dir);
  const ours = createMemfsMiddleware(oursCompiler, options);
  await ours.ready();
  const oursServer = createServer((req, res) => ours(req, res));
  const oursPort = await listen(oursServer);

  const theirsCompiler = createCompiler(dir);
  const theirs = webpackDevMiddleware(theirsCompiler, options);
  await new Promise((resolve) => theirs.waitUntilValid(resolve));
  const app = express();
  app.use(theirs);
  const theirsServer = createServer(app);
  const theirsPort = await listen(theirsServer);

  const oursEtag = await fetchEtag(oursPort);
  const theirsEtag = await fetchEtag(theirsPort);
  console.log(
    `bundle: ${(oursEtag.bytes / 1024 / 1024).toFixed(2)} MiB (wdm serves ${theirsEtag.bytes} bytes)`,
  );
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, webpack ${webpack.version}, ` +
      `${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds (median)`,
  );

  const rows = [];
  for (const [name, oursHeaders, theirsHeaders] of [
    ['200 GET /bundle.js', undefined, undefined],
    ['304 If-None-Match', { 'if-none-match': oursEtag.etag }, { 'if-none-match': theirsEtag.etag }],
  ]) {
    const oursRuns = [];
    const theirsRuns = [];
    // Alternate, so drift (thermal, other load) hits both sides alike.
    for (let round = 0; round < ROUNDS; round++) {
      oursRuns.push(await load(oursPort, oursHeaders));
      theirsRuns.push(await load(theirsPort, theirsHeaders));
    }
    const o = { rps: median(oursRuns.map((r) => r.rps)), p99: median(oursRuns.map((r) => r.p99)) };
    const t = {
      rps: median(theirsRuns.map((r) => r.rps)),
      p99: median(theirsRuns.map((r) => r.p99)),
    };
    rows.push({
      case: name,
      'ours req/s': Math.round(o.rps),
      'ours p99 ms': o.p99,
      'wdm req/s': Math.round(t.rps),
      'wdm p99 ms': t.p99,
      'req/s ratio (ours/wdm)': Number((o.rps / t.rps).toFixed(2)),
    });
  }
  console.table(rows);

  await new Promise((resolve) => oursServer.close(resolve));
  await new Promise((resolve) => theirsServer.close(resolve));
  await new Promise((resolve) => ours.close(resolve));
  await new Promise((resolve) => theirs.close(resolve));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
