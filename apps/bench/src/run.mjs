// `pnpm bench`: hmrkit serve vs webpack serve (webpack-dev-server 5) on the same generated app,
// same webpack config, same browser; alternating A B A B. With `--compiler rspack`, hmrkit serve
// with Rspack vs rspack serve (@rspack/dev-server) on the same rspack config. See ../README.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { textSource, writeApp } from './app.mjs';
import { measureFootprint } from './footprint.mjs';
import { summarizeProfileDir } from './profile.mjs';
import {
  breakdownTable,
  footprintTable,
  latencyChart,
  latencyTable,
  measuredPairs,
  ratio,
  ratioHeader,
  summarizeTarget,
} from './report.mjs';
import { runSession } from './session.mjs';
import {
  COMPILER_TARGETS,
  createTargets,
  PAIRS,
  packageVersion,
  pairForMode,
  parseTargetIds,
  TARGETS,
  targetsOfCompilers,
} from './targets.mjs';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = join(BENCH_DIR, '../..');
const WORK_DIR = join(BENCH_DIR, '.work');
// The same override the repo's browser tests read.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { values: flags } = parseArgs({
  // `pnpm bench -- --n 3` may hand the separator through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    smoke: { type: 'boolean', default: false },
    n: { type: 'string' },
    devtools: { type: 'string' },
    targets: { type: 'string' },
    // Shorthand: the pair of each compiler named (webpack: hmrkit,wds; rspack: hmrkit-rspack,rspack-serve).
    compiler: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    edits: { type: 'string' },
    unaccepted: { type: 'string' },
    cold: { type: 'string' },
    'mem-edits': { type: 'string' },
    footprint: { type: 'boolean' },
    'no-footprint': { type: 'boolean', default: false },
    'footprint-only': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    rtt: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '120000' },
  },
});

const smoke = flags.smoke;
/** @param {string | undefined} value @param {number} fallback */
const int = (value, fallback) => (value === undefined ? fallback : Number.parseInt(value, 10));
/** @param {string | undefined} value @param {string} fallback */
const list = (value, fallback) =>
  (value ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The targets, checked before anything is built or started. */
const targetIds = (() => {
  try {
    if (flags.targets !== undefined && flags.compiler !== undefined)
      throw new Error('give --targets or --compiler, not both');
    return flags.compiler !== undefined
      ? targetsOfCompilers(list(flags.compiler, ''))
      : parseTargetIds(list(flags.targets, COMPILER_TARGETS.webpack.join(',')));
  } catch (error) {
    process.stderr.write(`[bench] ${error instanceof Error ? error.message : error}\n`);
    process.exit(2);
  }
})();

const options = {
  n: flags['footprint-only'] ? [] : list(flags.n, smoke ? '3' : '3,1000,5000').map(Number),
  devtools: list(flags.devtools, smoke ? 'false' : 'false,eval-cheap-module-source-map'),
  targets: targetIds,
  rounds: int(flags.rounds, smoke ? 1 : 2),
  warmup: int(flags.warmup, smoke ? 2 : 3),
  edits: int(flags.edits, smoke ? 5 : 6),
  unaccepted: int(flags.unaccepted, smoke ? 2 : 3),
  cold: int(flags.cold, smoke ? 0 : 1),
  memEdits: int(flags['mem-edits'], smoke ? 0 : 200),
  footprint: flags['footprint-only'] || (flags.footprint ?? (!smoke && !flags['no-footprint'])),
  profile: flags.profile,
  timeoutMs: int(flags.timeout, 120_000),
  // Network-distance mode: the page reaches the server through a proxy adding rtt ms per round trip.
  rttMs: int(flags.rtt, 0),
};
const scratchOut = smoke
  ? 'smoke'
  : options.profile
    ? 'profiled'
    : flags['footprint-only']
      ? 'footprint'
      : null;
const outDir = flags.out ?? (scratchOut ? join(WORK_DIR, scratchOut) : join(BENCH_DIR, 'results'));
const isDefaultOut = !flags.out && !scratchOut;

/** @param {string} line */
const say = (line) => process.stderr.write(`[bench] ${line}\n`);

// Load on the machine is part of the result: the figures of a loaded machine are noisier.
/** @type {number[]} */
const loadSamples = [];
/** @type {number[]} */
const pressureSamples = [];
const sampleLoad = () => {
  loadSamples.push(loadavg()[0]);
  // Linux PSI: the share of the last 10 s in which some runnable task waited for a CPU.
  const psi = safe(() => /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8')));
  if (psi) pressureSamples.push(Number(psi[1]));
};
sampleLoad();
const loadTimer = setInterval(sampleLoad, 5000);
loadTimer.unref();

const startedAt = new Date();
const git = (/** @type {string[]} */ ...args) =>
  safe(() => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim());
const startCommit = git('rev-parse', '--short', 'HEAD');
const startDirty = git('status', '--porcelain', '--', 'packages') !== '';
const runsHmrkit = options.targets.some((id) => TARGETS[id].pkg === '@hmrkit/cli');
const runsRspack = options.targets.some((id) => TARGETS[id].compiler === 'rspack');
const needsHmrkit = runsHmrkit || options.footprint;
if (needsHmrkit && !flags['no-build']) {
  say('building @hmrkit/cli and its dependencies (turbo, cached)');
  execFileSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@hmrkit/cli...', '--output-logs=errors-only'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

const targets = createTargets(options.targets);
mkdirSync(WORK_DIR, { recursive: true });
mkdirSync(outDir, { recursive: true });
const sessionsDir = join(WORK_DIR, 'sessions');
rmSync(sessionsDir, { recursive: true, force: true });
mkdirSync(sessionsDir, { recursive: true });
const profileDir = join(WORK_DIR, 'profiles');
if (options.profile) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
}

/** @type {import('./report.mjs').Cell[]} */
const cells = [];
/** @type {Record<string, unknown>[]} */
const raw = [];
/** @type {string[]} */
const failures = [];
/** @type {string[]} */
const retried = [];
/** @type {ReturnType<typeof writeApp>} */
let currentApp;

const profileRoot = mkdtempSync(join(tmpdir(), 'hmrkit-bench-chromium-'));
const browser = await chromium.launchPersistentContext(profileRoot, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  // One blank page stays open for the whole run: Chromium quits when its last page closes, and a
  // session's page can be the only one (a cold-start session opens and closes it within a second).
  const [keeper, ...others] = browser.pages();
  for (const pageToClose of others) await pageToClose.close();
  if (!keeper) await browser.newPage();
  for (const n of options.n) {
    say(`generating the app with N = ${n} modules`);
    const app = writeApp(join(WORK_DIR, `app-${n}`), n);
    currentApp = app;
    for (const devtool of options.devtools) {
      /** @type {Record<string, import('./session.mjs').SessionResult[]>} */
      const sessions = Object.fromEntries(targets.map((t) => [t.id, []]));
      /** @type {Record<string, number[]>} */
      const colds = Object.fromEntries(targets.map((t) => [t.id, []]));
      for (let round = 0; round < options.rounds; round++) {
        // A B A B: each round runs every target once, in the same order, so drift hits both.
        for (const target of targets) {
          const tag = `${target.id}-n${n}-${devtool}-r${round}`;
          say(`N=${n} devtool=${devtool} round ${round + 1}/${options.rounds}: ${target.label}`);
          try {
            const result = await withRetry(tag, () =>
              runSession({
                target,
                app,
                devtool,
                browser,
                workDir: sessionsDir,
                tag,
                warmup: options.warmup,
                edits: options.edits,
                unaccepted: options.unaccepted,
                memEdits: round === 0 ? options.memEdits : 0,
                timeoutMs: options.timeoutMs,
                rttMs: options.rttMs,
                // Both servers are profiled alike; profiling slows them, so a profiled run is
                // for finding where the time goes, not for the figures.
                nodeArgs: options.profile
                  ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, tag)}`]
                  : [],
              }),
            );
            sessions[target.id].push(result);
            raw.push({ n, devtool, round, target: target.id, ...result });
            say(
              `  cold ${result.cold} ms, leaf ${medianOf(result.leaf.map((e) => e.dom))} ms, rebuild ${medianOf(result.leaf.map((e) => e.rebuild))} ms`,
            );
          } catch (error) {
            failures.push(`${tag}: ${error instanceof Error ? error.message : error}`);
            say(`  FAILED: ${error}`);
          } finally {
            resetApp(app);
          }
        }
        for (let c = 0; c < options.cold; c++) {
          for (const target of targets) {
            const tag = `${target.id}-n${n}-${devtool}-r${round}-cold${c}`;
            try {
              const result = await withRetry(tag, () =>
                runSession({
                  target,
                  app,
                  devtool,
                  browser,
                  workDir: sessionsDir,
                  tag,
                  warmup: 0,
                  edits: 0,
                  unaccepted: 0,
                  memEdits: 0,
                  timeoutMs: options.timeoutMs,
                  rttMs: options.rttMs,
                }),
              );
              colds[target.id].push(result.cold);
              say(`  cold start ${target.label}: ${result.cold} ms`);
            } catch (error) {
              failures.push(`${tag}: ${error instanceof Error ? error.message : error}`);
            }
          }
        }
      }
      cells.push({
        n: app.modules,
        devtool,
        targets: Object.fromEntries(
          targets
            .filter((t) => sessions[t.id].length > 0)
            .map((t) => [t.id, summarizeTarget(sessions[t.id], colds[t.id])]),
        ),
      });
    }
  }
} finally {
  await browser.close();
  rmSync(profileRoot, { recursive: true, force: true });
}

let footprint = null;
if (options.footprint) {
  say('install footprint (npm, fresh projects in .work/footprint)');
  try {
    footprint = measureFootprint({
      packagesDir: join(REPO_ROOT, 'packages'),
      workDir: WORK_DIR,
      webpackVersion: packageVersion('webpack'),
      wdsVersion: packageVersion('webpack-dev-server'),
      webpackCliVersion: packageVersion('webpack-cli'),
      log: (line) => say(`  ${line}`),
    });
  } catch (error) {
    failures.push(`footprint: ${error instanceof Error ? error.message : error}`);
  }
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  os: `${process.platform} ${release()}`,
  node: process.version,
  chromium: safe(() =>
    execFileSync(CHROMIUM, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim(),
  ),
  loadAverage: { mean: mean(loadSamples), max: Math.max(...loadSamples) },
  cpuPressurePercent: pressureSamples.length
    ? { mean: mean(pressureSamples), max: Math.max(...pressureSamples) }
    : null,
};
const versions = {
  webpack: packageVersion('webpack'),
  'webpack-dev-server': packageVersion('webpack-dev-server'),
  'webpack-cli': packageVersion('webpack-cli'),
  'html-webpack-plugin': packageVersion('html-webpack-plugin'),
  '@hmrkit/cli': runsHmrkit ? packageVersion('@hmrkit/cli') : null,
  ...(runsRspack
    ? {
        '@rspack/core': packageVersion('@rspack/core'),
        '@rspack/cli': packageVersion('@rspack/cli'),
        '@rspack/dev-server': packageVersion('@rspack/dev-server'),
      }
    : {}),
  commit: startCommit,
  // Uncommitted changes to packages/ when the run started: the figures are of the working tree.
  packagesDirty: startDirty,
};

/** @type {Record<string, ReturnType<typeof summarizeProfileDir> & { edits: number }>} */
const profiles = {};
if (options.profile) {
  for (const session of raw) {
    const tag = `${session.target}-n${session.n}-${session.devtool}-r${session.round}`;
    // From the first page on: start-up and the first build are the cold start's business.
    const summary = safe(() => summarizeProfileDir(join(profileDir, tag), Number(session.cold)));
    if (summary)
      profiles[tag] = {
        ...summary,
        functions: summary.functions.slice(0, 40),
        edits: Number(session.editCount),
      };
  }
}

const markdown = renderMarkdown();
const results = {
  date: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine,
  versions,
  options,
  summary: cells,
  footprint,
  profiles,
  failures,
  retried,
  sessions: raw,
};
// Summaries indented; the raw sessions one per line, so the file stays readable and diffable.
const { sessions: rawSessions, ...head } = results;
const headJson = JSON.stringify(head, null, 2).slice(0, -2);
const sessionLines = rawSessions.map((session) => `    ${JSON.stringify(session)}`).join(',\n');
// A run without the webpack pair (--compiler rspack) and the network-distance mode write their
// own files next to the default run's, which only the default run replaces.
const suffix = `${options.targets.some((id) => TARGETS[id].compiler === 'webpack') ? '' : '-rspack'}${options.rttMs > 0 ? `-rtt${options.rttMs}` : ''}`;
writeFileSync(
  join(outDir, `latest${suffix}.json`),
  `${headJson},\n  "sessions": [\n${sessionLines}\n  ]\n}\n`,
);
writeFileSync(join(outDir, `latest${suffix}.md`), markdown);
writeFileSync(
  join(outDir, `latency${suffix}.svg`),
  latencyChart(
    cells,
    options.devtools,
    `${startedAt.toISOString().slice(0, 10)} · ${machine.cpu}, ${machine.cores} cores · Node ${process.version} · ${versionsCaption()}`,
  ),
);
if (isDefaultOut && !suffix) updateReadme(markdown);
process.stdout.write(markdown);
say(`wrote ${join(outDir, `latest${suffix}.json`)}, latest${suffix}.md, latency${suffix}.svg`);
if (failures.length > 0) {
  say(`${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}

/** Puts leaf.js and plain.js back to their initial text between sessions. @param {ReturnType<typeof writeApp>} app */
function resetApp(app) {
  writeFileSync(app.leaf, textSource('leaf 0'));
  writeFileSync(app.plain, textSource('plain 0'));
}

/**
 * Runs a session, and once more if it fails: a server that dies once (say, a package's dist
 * rebuilt under it) should cost a rerun, not the figure. Both attempts are reported.
 * @template T
 * @param {string} tag
 * @param {() => Promise<T>} run
 * @returns {Promise<T>}
 */
async function withRetry(tag, run) {
  try {
    return await run();
  } catch (error) {
    retried.push(`${tag}: ${error instanceof Error ? error.message : error}`);
    say(`  failed, retrying once: ${error}`);
    resetApp(currentApp);
    return await run();
  }
}

/** @param {number[]} values */
function mean(values) {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** @param {(number | null)[]} values */
function medianOf(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : '–';
}

/**
 * @template T
 * @param {() => T} fn
 * @returns {T | null}
 */
function safe(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

/** The compilers' and servers' versions of the pairs this run measured. */
function versionsCaption() {
  const parts = [];
  if (options.targets.some((id) => TARGETS[id].compiler === 'webpack'))
    parts.push(
      `webpack ${versions.webpack}, webpack-dev-server ${versions['webpack-dev-server']} (webpack-cli ${versions['webpack-cli']}), html-webpack-plugin ${versions['html-webpack-plugin']}`,
    );
  if (runsRspack)
    parts.push(
      `@rspack/core ${versions['@rspack/core']} (HtmlRspackPlugin), @rspack/dev-server ${versions['@rspack/dev-server']} (@rspack/cli ${versions['@rspack/cli']})`,
    );
  return parts.join(', ');
}

function renderMarkdown() {
  const pairs = measuredPairs(cells);
  const date = startedAt.toISOString().slice(0, 16).replace('T', ' ');
  const load = machine.loadAverage;
  const psi = machine.cpuPressurePercent;
  const busy = load.mean > machine.cores * 0.75 || (psi !== null && psi.mean > 20);
  const lines = [
    `Measured ${date} UTC on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGB} GB RAM, ${machine.os}), Node ${machine.node}, ${machine.chromium ?? 'Chromium'} headless.`,
    `Load during the run: load average ${load.mean.toFixed(1)} (max ${load.max.toFixed(1)}) on ${machine.cores} cores${psi ? `, CPU pressure ${psi.mean.toFixed(0)} % (max ${psi.max.toFixed(0)} %)` : ''}${busy ? ' — **the machine was shared with other work**: wall-clock figures are noisier than ±12 %; server CPU per edit is the least affected figure' : ''}.`,
    `Versions: ${versionsCaption()}${versions['@hmrkit/cli'] ? `, @hmrkit/cli ${versions['@hmrkit/cli']}` : ''} at ${versions.commit ?? 'an unknown commit'}${versions.packagesDirty ? ' (with uncommitted changes in packages/)' : ''}.`,
    ...(options.rttMs > 0
      ? [
          `Network-distance mode: the page reaches each server through a loopback proxy that delays each direction by ${options.rttMs / 2} ms (RTT ${options.rttMs} ms); the socket URL is relative to the page (\`auto://0.0.0.0:0/ws\`).`,
        ]
      : []),
    `Method: ${options.rounds} round(s) A B per target and devtool; per session ${options.warmup} warm-up + ${options.edits} measured leaf edits and ${options.unaccepted} unaccepted edits; ${options.cold} extra cold start(s) per round; RSS after ${options.memEdits || '–'} edits in the first round. Medians; ratios are ${pairs.map((pair) => (pair.compiler === 'webpack' ? 'hmrkit / webpack-dev-server' : `hmrkit with Rspack / ${TARGETS[pair.theirs].label} (same rspack config)`)).join('; ')}.`,
    '',
  ];
  for (const pair of pairs) {
    for (const devtool of options.devtools) {
      const heading =
        pair.compiler === 'webpack'
          ? `devtool: ${devtool}`
          : `Rspack: ${TARGETS[pair.ours].label} vs ${TARGETS[pair.theirs].label}, devtool: ${devtool}`;
      lines.push(
        `#### ${heading}`,
        '',
        latencyTable(cells, devtool, pairForMode(pair, options.rttMs)),
        '',
      );
    }
  }
  lines.push(
    `#### Where the time goes (leaf edit, devtool: ${options.devtools[0]}, medians, ms from the file write)`,
    '',
    breakdownTable(cells, options.devtools[0]),
    '',
    "`→ first frame`: the server noticed the change (`invalid`); `→ compile start`: webpack began the rebuild (stats.startTime, after the watcher and its aggregateTimeout); `done → ok sent`: from webpack's `done` to the `ok` frame written to the page's socket, inside the server (stats work, the pushed files, serialization); `done → ok`: from the end of the rebuild until the page receives `ok` (the server's part, then the network and the page's event loop); `ok → fetch`: until the page requests the first hot-update file (client and runtime reacting); `fetch`: the hot-update manifest and chunk, first request start to last response end (browser timing), with the time to first byte of the manifest on its own (the event loop of the server is shared with webpack, which re-arms its file watchers on the tick after `done`); `fetched → DOM`: evaluating and applying the update.",
    ...(runsRspack
      ? [
          '',
          "For the Rspack pair read Rspack for webpack: its stats carry the same startTime (when its watcher starts the rebuild, after the aggregateTimeout) and endTime (just before `done`), and `rspack serve`'s client (@rspack/dev-server) fetches the same two hot-update files.",
        ]
      : []),
    '',
    '#### Install footprint',
    '',
    footprintTable(footprint),
    '',
  );
  if (footprint)
    lines.push(
      `Packages (package.json directories) and size of node_modules in a fresh npm project, minus the same project with only webpack installed (${footprint.webpack.packages} packages, ${(footprint.webpack.diskBytes / 1e6).toFixed(1)} MB on disk); files = sum of file sizes, on disk = \`du\`. Our packages come from \`pnpm pack\` tarballs.`,
      '',
    );
  lines.push('#### Against the goals', '', ...goalLines(), '');
  if (options.profile) lines.push(...profileLines());
  if (failures.length > 0) lines.push('#### Failures', '', ...failures.map((f) => `- ${f}`), '');
  if (retried.length > 0)
    lines.push(
      'Sessions that failed once and were rerun:',
      '',
      ...retried.map((f) => `- ${f}`),
      '',
    );
  return `${lines.join('\n')}\n`;
}

function profileLines() {
  const lines = [
    '#### CPU by owner (server process after the first page, ms per edit; profiled run)',
    '',
  ];
  for (const [tag, p] of Object.entries(profiles)) {
    const perEdit = (/** @type {number} */ ms) => (ms / Math.max(1, p.edits)).toFixed(1);
    const top = p.owners.filter((o) => o.owner !== '(idle)').slice(0, 10);
    lines.push(
      `- ${tag} (${p.edits} edits): ${top.map((o) => `${o.owner} ${perEdit(o.ms)}`).join(', ')}`,
    );
  }
  lines.push(
    '',
    'Per function: `node src/profile.mjs --skip <cold ms> .work/profiles/<session>`.',
    '',
  );
  return lines;
}

function goalLines() {
  const out = [];
  for (const cell of cells.filter((c) => c.devtool === options.devtools[0])) {
    const ours = cell.targets.hmrkit;
    const theirs = cell.targets.wds;
    if (!ours) continue;
    const goals = pairForMode(PAIRS[0], options.rttMs).goals;
    const overhead = ours.overhead?.median;
    const overheadGoal = goals.overhead?.(cell.n);
    const leaf = ratio(ours.leaf?.median, theirs?.leaf?.median);
    const cold = ratio(ours.cold?.median, theirs?.cold?.median);
    // Like with like: after the edits where both have it, else after the warm-up.
    const rss =
      typeof ours.rssAfter?.median === 'number' && typeof theirs?.rssAfter?.median === 'number'
        ? ratio(ours.rssAfter.median, theirs.rssAfter.median)
        : ratio(ours.rssWarm?.median, theirs?.rssWarm?.median);
    out.push(
      `- N = ${cell.n}: leaf edit → DOM ${leaf === null ? '–' : `${leaf.toFixed(2)}×`} wds (goal ≤ ${goals.leaf}×: ${leaf === null || goals.leaf === undefined ? '–' : tick(leaf <= goals.leaf)}); overhead ${overhead === undefined ? '–' : `${Math.round(overhead)} ms`}${overheadGoal === undefined ? '' : ` (goal ≤ ${overheadGoal} ms: ${overhead === undefined ? '–' : tick(overhead <= overheadGoal)})`}; cold start ${cold === null ? '–' : `${cold.toFixed(2)}×`} (goal ≤ 0.7×: ${cold === null ? '–' : tick(cold <= 0.7)}); RSS ${rss === null ? '–' : `${rss.toFixed(2)}×`} (goal ≤ 0.8×: ${rss === null ? '–' : tick(rss <= 0.8)}); HMR failures ${ours.hmrFailures}.`,
    );
  }
  for (const pair of measuredPairs(cells).filter((p) => p.compiler !== 'webpack')) {
    const limit = pair.goals.leaf;
    for (const cell of cells.filter((c) => c.devtool === options.devtools[0])) {
      const ours = cell.targets[pair.ours];
      const theirs = cell.targets[pair.theirs];
      if (!ours) continue;
      const leaf = ratio(ours.leaf?.median, theirs?.leaf?.median);
      const fmt = (/** @type {number | undefined} */ ms) =>
        ms === undefined ? '–' : `${Math.round(ms)} ms`;
      out.push(
        `- N = ${cell.n}, ${pair.compilerLabel}: leaf edit → DOM ${fmt(ours.leaf?.median)} vs ${fmt(theirs?.leaf?.median)}, ${leaf === null ? '–' : `${leaf.toFixed(2)}×`} ${ratioHeader(pair)} (goal ≤ ${limit}×: ${leaf === null || limit === undefined ? '–' : tick(leaf <= limit)}); overhead ${fmt(ours.overhead?.median)} vs ${fmt(theirs?.overhead?.median)}; HMR failures ${ours.hmrFailures} vs ${theirs?.hmrFailures ?? '–'}.`,
      );
    }
  }
  if (footprint?.full) {
    const { packages, diskBytes } = footprint.full;
    out.push(
      `- install: ${packages} packages / ${(diskBytes / 1e6).toFixed(1)} MB on top of webpack (goal ≤ 25 / 5 MB: ${packages <= 25 && diskBytes <= 5e6 ? 'met' : '**not met**'}).`,
    );
  }
  return out;
}

/** @param {boolean} met */
function tick(met) {
  return met ? 'met' : '**not met**';
}

/** Replaces the figures block of apps/bench/README.md with this run's markdown. @param {string} md */
function updateReadme(md) {
  const readme = join(BENCH_DIR, 'README.md');
  const start = '<!-- bench:latest:start -->';
  const end = '<!-- bench:latest:end -->';
  const text = safe(() => readFileSync(readme, 'utf8'));
  if (!text?.includes(start) || !text.includes(end)) return;
  const before = text.slice(0, text.indexOf(start) + start.length);
  const after = text.slice(text.indexOf(end));
  writeFileSync(readme, `${before}\n\n![latency by N](results/latency.svg)\n\n${md}\n${after}`);
}
