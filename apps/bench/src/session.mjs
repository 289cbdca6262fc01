// One session: start a server on the generated app, load the page, edit, measure, stop.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { textSource } from './app.mjs';
import { probeHeap } from './heap.mjs';
import { startDelayProxy } from './proxy.mjs';
import {
  getFreePort,
  processTreeCpuMs,
  processTreeRss,
  startServer,
  waitForPort,
} from './targets.mjs';

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
 * @property {number | null} firstFrame  write → the page receives the first socket frame (`invalid`)
 * @property {number | null} hash    write → the page receives `hash`
 * @property {number | null} ok      write → the page receives `ok` (update announced)
 * @property {number | null} fetchStart  write → the page requests the first hot-update file
 * @property {number | null} fetchEnd    write → the last hot-update response has arrived
 * @property {{ file: string, start: number, firstByte: number, end: number }[]} fetches
 *   each hot-update request, ms from the write: request start, response start, response end
 * @property {number | null} compileStart  write → webpack's stats.startTime
 * @property {number | null} rebuild webpack's own build time (stats.endTime − stats.startTime)
 * @property {number | null} doneToOk  webpack's `done` (the stats plugin's Date.now()) → the page
 *   receives `ok`: the frame's way out of the server and through the network
 * @property {number | null} doneToSent  webpack's `done` → the `ok` frame written to the page's socket in
 *   the server (performance.now(), fractional ms): the server's own part of done → ok
 * @property {number | null} doneTaps  the compiler's first `done` tap → its last (every server's
 *   done work, stats printing included; the frames may leave before it ends)
 * @property {number} requests  HTTP requests the page made between the write and the DOM change
 * @property {number} builds  builds that started between this edit's write and the next's: 1,
 *   or more when the watcher started one on a half-written file (then another on the whole)
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
 * @property {number} [rttMs]  > 0: the page talks to the server through a proxy delaying each
 *   direction by rttMs / 2 (network-distance mode)
 */

/**
 * @typedef {object} SessionResult
 * @property {number} cold          spawn → first page shows the app
 * @property {number} listening     spawn → port accepts connections
 * @property {number | null} firstBuild  spawn → first build done (stats)
 * @property {EditResult[]} leaf
 * @property {EditResult[]} plain
 * @property {number | null} cpuPerEdit  server CPU time (user + system) per measured leaf edit, ms
 * @property {number} rssWarm       process-tree RSS after warm-up, bytes
 * @property {number | null} rssAfter  process-tree RSS after memEdits edits, bytes
 * @property {import('./heap.mjs').HeapProbe | null} heap  the V8 heap after memEdits edits
 * @property {number} editCount     edits made in the session, warm-up included
 */

const EDIT_PAUSE_MS = 300;
// How long an edit waits for its build's stats line once the DOM has changed: the line is
// written by the last `done` tap, and a pushed update can reach the page before the server has
// run its later taps. A build that never writes one leaves the figures of that edit empty.
const BUILD_LINE_WAIT_MS = 5000;
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
 * One line of the stats plugin (see app.mjs), Date.now() values.
 * @typedef {{ hash: string, startTime: number, endTime: number, doneAt?: number, tapsDoneAt?: number, okSent?: number | null }} BuildLine
 */

/**
 * @param {string} file
 * @returns {BuildLine[]}
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
 * Polls the stats file until pick finds the line it wants, for at most BUILD_LINE_WAIT_MS.
 * @param {string} file
 * @param {(builds: BuildLine[]) => BuildLine | undefined} pick
 * @returns {Promise<BuildLine | undefined>}
 */
async function waitForBuild(file, pick) {
  const deadline = Date.now() + BUILD_LINE_WAIT_MS;
  for (;;) {
    const found = pick(readBuilds(file));
    if (found || Date.now() > deadline) return found;
    await sleep(5);
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

  /** @type {DomEvent[]} */
  const events = [];
  const page = await browser.newPage();
  // Frames are timestamped inside the page, as the client receives them: a socket of the
  // harness's own would be timed by the harness's busier event loop (up to ~15 ms late on a
  // loaded machine). Both clients use the global WebSocket; the first listener sees each frame
  // before the client handles it.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    /** @type {{ t: number, type: string, data?: unknown }[]} */
    const frames = [];
    Object.assign(window, { __benchFrames: frames });
    window.WebSocket = class extends Native {
      /** @param {ConstructorParameters<typeof WebSocket>} args */
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          const t = Date.now();
          try {
            const frame = JSON.parse(String(event.data));
            frames.push({
              t,
              type: frame.type,
              data: frame.type === 'hash' ? frame.data : undefined,
            });
          } catch {
            frames.push({ t, type: '(unparsed)' });
          }
        });
      }
    };
  });
  await page.exposeFunction('__benchReport', (/** @type {DomEvent} */ event) => {
    events.push(event);
  });
  page.on('pageerror', (error) => writeFileSync(log, `[page error] ${error}\n`, { flag: 'a' }));
  // The clients say in the console why they reload (or fall back to a fetch): kept in the log,
  // next to the server's output, for the edit a figure says went wrong.
  page.on('console', (message) =>
    writeFileSync(log, `[page ${message.type()} ${Date.now()}] ${message.text()}\n`, { flag: 'a' }),
  );
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame())
      writeFileSync(log, `[page navigated ${Date.now()}] ${frame.url()}\n`, { flag: 'a' });
  });
  // The browser's own timing of the update fetches (hot-update.json, then the update chunk).
  /** @type {{ file: string, start: number, firstByte: number, end: number }[]} */
  const fetches = [];
  // Every HTTP request the page makes (WebSocket frames are not requests). Counted by the
  // browser's own start time of each (the page's clock), not by when the harness hears of it:
  // on a loaded machine the event can arrive after the DOM change it preceded.
  /** @type {{ request: import('playwright-core').Request, seenAt: number }[]} */
  const requests = [];
  page.on('request', (request) => requests.push({ request, seenAt: Date.now() }));
  const requestStart = (/** @type {(typeof requests)[number]} */ { request, seenAt }) => {
    const start = request.timing().startTime;
    return start > 0 ? start : seenAt;
  };
  page.on('requestfinished', (request) => {
    const url = request.url();
    if (!url.includes('.hot-update.')) return;
    const timing = request.timing();
    fetches.push({
      file: url.endsWith('.json') ? 'json' : 'js',
      start: timing.startTime,
      firstByte: timing.startTime + timing.responseStart,
      end: timing.startTime + timing.responseEnd,
    });
  });

  // The memory session opens the inspector (unused until the probe after the last edit).
  const inspectPort = options.memEdits > 0 ? await getFreePort() : null;
  const server = startServer(target, {
    config: app.configs[target.compiler],
    cwd: app.dir,
    port,
    log,
    env: {
      BENCH_STATS_FILE: statsFile,
      BENCH_DEVTOOL: devtool,
      // Behind the proxy the page must dial its socket relative to itself (auto://0.0.0.0:0/ws).
      ...(options.rttMs ? { BENCH_RELATIVE_SOCKET: '1' } : {}),
    },
    nodeArgs: [
      ...(options.nodeArgs ?? []),
      ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
    ],
  });
  const alive = () => {
    if (server.exited()) throw new Error(`${target.label} exited; see ${log}`);
  };
  /** @type {import('./proxy.mjs').DelayProxy | undefined} */
  let proxy;
  try {
    await waitForPort(port, timeoutMs, server.exited);
    const listeningAt = Date.now();
    if (options.rttMs) proxy = await startDelayProxy(port, options.rttMs);
    const pagePort = proxy ? proxy.port : port;
    await page.goto(`http://127.0.0.1:${pagePort}/`, { timeout: timeoutMs, waitUntil: 'commit' });
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
      cpuPerEdit: null,
      rssWarm: 0,
      rssAfter: null,
      heap: null,
      editCount: 0,
    };

    let bootAt = first.bootAt;
    /** Fills in the fetch timings once Playwright has reported the requests. */
    /** @type {{ edit: EditResult, writeAt: number, domAt: number }[]} */
    const pendingFetches = [];
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
      const reloaded = shown.bootAt !== bootAt;
      bootAt = shown.bootAt;
      // A reload took the frames with the old page; only a hot update keeps them.
      /** @type {{ t: number, type: string, data?: unknown }[]} */
      const frames = reloaded
        ? []
        : await page.evaluate(() => /** @type {any} */ (window).__benchFrames.splice(0));
      const after = frames.filter((f) => f.t >= writeAt);
      const hashFrame = after.find((f) => f.type === 'hash');
      const okFrame = hashFrame && after.find((f) => f.type === 'ok' && f.t >= hashFrame.t);
      // The build the page was told about, or else the first one that started after the write.
      const build = await waitForBuild(
        statsFile,
        (builds) =>
          builds.find((b) => hashFrame && b.hash === hashFrame.data) ??
          builds.find((b) => b.startTime >= writeAt),
      );
      /** @type {EditResult} */
      const measured = {
        kind,
        reloaded,
        dom: shown.t - writeAt,
        firstFrame: after[0] ? after[0].t - writeAt : null,
        hash: hashFrame ? hashFrame.t - writeAt : null,
        ok: okFrame ? okFrame.t - writeAt : null,
        fetchStart: null,
        fetchEnd: null,
        fetches: [],
        compileStart: build ? build.startTime - writeAt : null,
        rebuild: build ? build.endTime - build.startTime : null,
        doneToOk: build?.doneAt && okFrame ? okFrame.t - build.doneAt : null,
        doneTaps: build?.doneAt && build.tapsDoneAt ? build.tapsDoneAt - build.doneAt : null,
        doneToSent: typeof build?.okSent === 'number' ? build.okSent : null,
        // Counted once the browser has reported them (settleFetches).
        requests: 0,
        builds: 0,
      };
      pendingFetches.push({ edit: measured, writeAt, domAt: shown.t });
      return measured;
    };
    const settleFetches = () => {
      const settling = pendingFetches.splice(0);
      const starts = readBuilds(statsFile).map((b) => b.startTime);
      settling.forEach(({ edit: e, writeAt }, i) => {
        const until = settling[i + 1]?.writeAt ?? Number.POSITIVE_INFINITY;
        e.builds = starts.filter((t) => t >= writeAt && t < until).length;
      });
      for (const { edit: e, writeAt, domAt } of settling) {
        e.requests = requests.filter((r) => {
          const start = requestStart(r);
          return start >= writeAt && start <= domAt;
        }).length;
        const mine = fetches.filter((f) => f.start >= writeAt && f.start <= domAt);
        if (mine.length === 0) continue;
        e.fetchStart = Math.min(...mine.map((f) => f.start)) - writeAt;
        e.fetchEnd = Math.max(...mine.map((f) => f.end)) - writeAt;
        const round = (/** @type {number} */ t) => Math.round((t - writeAt) * 10) / 10;
        e.fetches = mine.map((f) => ({
          file: f.file,
          start: round(f.start),
          firstByte: round(f.firstByte),
          end: round(f.end),
        }));
      }
    };

    for (let i = 0; i < options.warmup; i++) {
      await edit('leaf');
      await sleep(EDIT_PAUSE_MS);
    }
    result.rssWarm = processTreeRss(server.pid);
    const cpuBefore = processTreeCpuMs(server.pid);
    for (let i = 0; i < options.edits; i++) {
      result.leaf.push(await edit('leaf'));
      await sleep(EDIT_PAUSE_MS);
    }
    if (options.edits > 0)
      result.cpuPerEdit = (processTreeCpuMs(server.pid) - cpuBefore) / options.edits;
    for (let i = 0; i < options.unaccepted; i++) {
      result.plain.push(await edit('plain'));
      await sleep(EDIT_PAUSE_MS);
    }
    settleFetches();
    if (options.memEdits > 0) {
      while (result.editCount < options.memEdits) {
        await edit('leaf');
        await sleep(TOP_UP_PAUSE_MS);
      }
      await sleep(EDIT_PAUSE_MS);
      result.rssAfter = processTreeRss(server.pid);
      if (inspectPort) result.heap = await probeHeap(inspectPort, server.pid);
    }
    return result;
  } finally {
    await page.close().catch(() => {});
    await proxy?.close();
    await server.stop();
  }
}
