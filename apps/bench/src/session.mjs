// One session: start a server on the generated app, load the page, edit, measure, stop.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { textSource } from './app.mjs';
import { getFreePort, processTreeRss, startServer, waitForPort } from './targets.mjs';

/**
 * What the page reports on each change of the rendered texts (see app.mjs).
 * @typedef {{ t: number, bootAt: number, leaf: string, plain: string }} DomEvent
 */

/**
 * One edit, all times in ms from the file write (Date.now() in Node and in the page: the same
 * machine clock).
 * @typedef {object} EditResult
 * @property {'leaf' | 'plain'} kind
 * @property {boolean} reloaded      the page was reloaded (expected for 'plain' only)
 * @property {number} dom            write → the DOM shows the new text
 * @property {number | null} firstFrame  write → first socket frame (normally `invalid`)
 * @property {number | null} hash    write → `hash` frame
 * @property {number | null} ok      write → `ok` frame (update announced)
 * @property {number | null} compileStart  write → webpack's stats.startTime
 * @property {number | null} rebuild webpack's own build time (stats.endTime − stats.startTime)
 */

/**
 * @typedef {object} SessionOptions
 * @property {import('./targets.mjs').Target} target
 * @property {ReturnType<typeof import('./app.mjs').writeApp>} app
 * @property {string} devtool
 * @property {import('playwright-core').BrowserContext} browser
 * @property {string} workDir
 * @property {string} tag         names this session's log and stats files
 * @property {number} warmup      leaf edits before measuring
 * @property {number} edits       measured leaf edits
 * @property {number} unaccepted  measured unaccepted edits (each reloads the page)
 * @property {number} memEdits    total edits after which to sample RSS again (0: no top-up)
 * @property {number} timeoutMs   per edit and for the first page
 * @property {string[]} [nodeArgs]  node options for the server (e.g. --cpu-prof)
 */

/**
 * @typedef {object} SessionResult
 * @property {number} cold          spawn → first page shows the app
 * @property {number} listening     spawn → port accepts connections
 * @property {number | null} firstBuild  spawn → first build done (stats)
 * @property {EditResult[]} leaf
 * @property {EditResult[]} plain
 * @property {number} rssWarm       process-tree RSS after warm-up, bytes
 * @property {number | null} rssAfter  process-tree RSS after memEdits edits, bytes
 * @property {number} editCount     edits made in the session, warm-up included
 */

const EDIT_PAUSE_MS = 300;
const TOP_UP_PAUSE_MS = 50;

/**
 * Waits for the first item of a growing list that matches.
 * @template T
 * @param {T[]} list
 * @param {(item: T) => boolean} match
 * @param {number} timeoutMs
 * @param {() => string} describe  for the timeout error
 * @param {() => void} [check]  throws to abort early (e.g. the server died)
 * @returns {Promise<T>}
 */
async function waitFor(list, match, timeoutMs, describe, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = list.find(match);
    if (found) return found;
    check?.();
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await sleep(5);
  }
}

/**
 * @param {string} file
 * @returns {{ hash: string, startTime: number, endTime: number }[]}
 */
function readBuilds(file) {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

/**
 * @param {SessionOptions} options
 * @returns {Promise<SessionResult>}
 */
export async function runSession(options) {
  const { target, app, devtool, browser, workDir, tag, timeoutMs } = options;
  const statsFile = join(workDir, `${tag}.builds.jsonl`);
  const log = join(workDir, `${tag}.log`);
  writeFileSync(statsFile, '');
  writeFileSync(log, '');
  const port = await getFreePort();
  const origin = `http://127.0.0.1:${port}`;

  /** @type {DomEvent[]} */
  const events = [];
  /** @type {{ t: number, type: string, data?: unknown }[]} */
  const frames = [];
  const page = await browser.newPage();
  await page.exposeFunction('__benchReport', (/** @type {DomEvent} */ event) => {
    events.push(event);
  });
  page.on('pageerror', (error) => writeFileSync(log, `[page error] ${error}\n`, { flag: 'a' }));

  const server = startServer(target, {
    config: app.config,
    cwd: app.dir,
    port,
    log,
    env: { BENCH_STATS_FILE: statsFile, BENCH_DEVTOOL: devtool },
    nodeArgs: options.nodeArgs,
  });
  const alive = () => {
    if (server.exited()) throw new Error(`${target.label} exited; see ${log}`);
  };
  /** @type {WebSocket | undefined} */
  let socket;
  try {
    await waitForPort(port, timeoutMs, server.exited);
    const listeningAt = Date.now();
    await page.goto(`${origin}/`, { timeout: timeoutMs, waitUntil: 'commit' });
    const first = await waitFor(
      events,
      () => true,
      timeoutMs,
      () => 'first page',
      alive,
    );
    const builds = readBuilds(statsFile);
    /** @type {SessionResult} */
    const result = {
      cold: first.t - server.spawnedAt,
      listening: listeningAt - server.spawnedAt,
      firstBuild: builds[0] ? builds[0].endTime - server.spawnedAt : null,
      leaf: [],
      plain: [],
      rssWarm: 0,
      rssAfter: null,
      editCount: 0,
    };

    // A socket of our own next to the page's, to timestamp frames as they leave the server.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin });
    socket = ws;
    ws.on('message', (raw) => {
      const t = Date.now();
      try {
        const frame = JSON.parse(String(raw));
        frames.push({ t, type: frame.type, data: frame.data });
      } catch {
        frames.push({ t, type: '(unparsed)' });
      }
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });

    let bootAt = first.bootAt;
    /**
     * @param {'leaf' | 'plain'} kind
     * @returns {Promise<EditResult>}
     */
    const edit = async (kind) => {
      result.editCount += 1;
      const text = `${kind} ${target.id} ${result.editCount}`;
      const file = kind === 'leaf' ? app.leaf : app.plain;
      const writeAt = Date.now();
      writeFileSync(file, textSource(text));
      const describe = () => `${target.label}: ${kind} edit ${result.editCount} (${text})`;
      const shown = await waitFor(events, (e) => e[kind] === text, timeoutMs, describe, alive);
      const after = frames.filter((f) => f.t >= writeAt);
      const hashFrame = after.find((f) => f.type === 'hash');
      const okFrame = hashFrame && after.find((f) => f.type === 'ok' && f.t >= hashFrame.t);
      const build = hashFrame && readBuilds(statsFile).find((b) => b.hash === hashFrame.data);
      const reloaded = shown.bootAt !== bootAt;
      bootAt = shown.bootAt;
      return {
        kind,
        reloaded,
        dom: shown.t - writeAt,
        firstFrame: after[0] ? after[0].t - writeAt : null,
        hash: hashFrame ? hashFrame.t - writeAt : null,
        ok: okFrame ? okFrame.t - writeAt : null,
        compileStart: build ? build.startTime - writeAt : null,
        rebuild: build ? build.endTime - build.startTime : null,
      };
    };

    for (let i = 0; i < options.warmup; i++) {
      await edit('leaf');
      await sleep(EDIT_PAUSE_MS);
    }
    result.rssWarm = processTreeRss(server.pid);
    for (let i = 0; i < options.edits; i++) {
      result.leaf.push(await edit('leaf'));
      await sleep(EDIT_PAUSE_MS);
    }
    for (let i = 0; i < options.unaccepted; i++) {
      result.plain.push(await edit('plain'));
      await sleep(EDIT_PAUSE_MS);
    }
    if (options.memEdits > 0) {
      while (result.editCount < options.memEdits) {
        await edit('leaf');
        await sleep(TOP_UP_PAUSE_MS);
      }
      await sleep(EDIT_PAUSE_MS);
      result.rssAfter = processTreeRss(server.pid);
    }
    return result;
  } finally {
    socket?.terminate();
    await page.close().catch(() => {});
    await server.stop();
  }
}
