// The servers under test, started the way a user starts them: the package's own bin
// (`webpack serve`, `rspack serve`, `hmrkit serve`) with the same config, flags and environment
// as the other server of its pair.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);

/** @typedef {'webpack' | 'rspack'} CompilerName */
/** @typedef {'hmrkit' | 'wds' | 'hmrkit-rspack' | 'rspack-serve'} TargetId */

/**
 * What each target is, before anything is resolved: its name in tables, the package whose bin
 * starts it, the compiler it builds with (which generated config it reads) and extra flags.
 * @type {Record<TargetId, { label: string, column: string, compiler: CompilerName, pkg: string, binName: string, args: string[] }>}
 */
export const TARGETS = {
  hmrkit: {
    label: 'hmrkit serve',
    column: 'hmrkit',
    compiler: 'webpack',
    pkg: '@hmrkit/cli',
    binName: 'hmrkit',
    args: [],
  },
  // `webpack serve`: webpack's bin hands over to webpack-cli, which starts webpack-dev-server.
  wds: {
    label: 'webpack-dev-server 5',
    column: 'webpack-dev-server 5',
    compiler: 'webpack',
    pkg: 'webpack',
    binName: 'webpack',
    args: [],
  },
  // The same CLI with the project's @rspack/core as the compiler (rspack.config.mjs would pick it
  // too; the flag says so where the command line is logged).
  'hmrkit-rspack': {
    label: 'hmrkit serve (Rspack)',
    column: 'hmrkit (Rspack)',
    compiler: 'rspack',
    pkg: '@hmrkit/cli',
    binName: 'hmrkit',
    args: ['--compiler', 'rspack'],
  },
  // `rspack serve`: @rspack/cli starts @rspack/dev-server.
  'rspack-serve': {
    label: 'rspack serve',
    column: 'rspack serve',
    compiler: 'rspack',
    pkg: '@rspack/cli',
    binName: 'rspack',
    args: [],
  },
};

/**
 * The comparisons the report makes: hmrkit against the compiler's own dev server, on the same
 * config, with the goals of the issues that set them (ratios are ours / theirs).
 * @typedef {object} Pair
 * @property {CompilerName} compiler
 * @property {string} compilerLabel  "webpack's rebuild", "Rspack's rebuild"
 * @property {TargetId} ours
 * @property {TargetId} theirs
 * @property {{ leaf?: number, leafRtt?: number, overhead?: (n: number) => number, cold?: number, rss?: number }} goals
 *   leaf, cold, rss: at most this ratio (leafRtt: leaf in the network-distance mode); overhead:
 *   at most this many ms at N modules (not judged in the network-distance mode)
 * @type {Pair[]}
 */
export const PAIRS = [
  {
    compiler: 'webpack',
    compilerLabel: 'webpack',
    ours: 'hmrkit',
    theirs: 'wds',
    // Issue 14: leaf ≤ 0.8× at every N, ≤ 0.5× at 50 ms RTT; overhead ≤ 10 ms (≤ 15 at N = 5000).
    goals: {
      leaf: 0.8,
      leafRtt: 0.5,
      overhead: (n) => (n >= 5000 ? 15 : 10),
      cold: 0.7,
      rss: 0.8,
    },
  },
  {
    compiler: 'rspack',
    compilerLabel: 'Rspack',
    ours: 'hmrkit-rspack',
    theirs: 'rspack-serve',
    goals: { leaf: 0.9 },
  },
];

/**
 * A pair's goals in this run's mode: in the network-distance mode the leaf goal is `leafRtt` and
 * the overhead (which then includes the network) is not judged.
 * @param {Pair} pair
 * @param {number} rttMs
 * @returns {Pair}
 */
export function pairForMode(pair, rttMs) {
  if (!(rttMs > 0)) return pair;
  const { leafRtt, overhead: _overhead, ...goals } = pair.goals;
  return { ...pair, goals: { ...goals, ...(leafRtt === undefined ? {} : { leaf: leafRtt }) } };
}

/** The targets each `--compiler` name stands for. @type {Record<CompilerName, TargetId[]>} */
export const COMPILER_TARGETS = {
  webpack: ['hmrkit', 'wds'],
  rspack: ['hmrkit-rspack', 'rspack-serve'],
};

/**
 * Checks target ids (before anything is built or started).
 * @param {string[]} ids
 * @returns {TargetId[]}
 */
export function parseTargetIds(ids) {
  if (ids.length === 0) throw new Error('no target given');
  for (const id of ids) {
    if (!Object.hasOwn(TARGETS, id))
      throw new Error(`unknown target "${id}" (expected ${Object.keys(TARGETS).join(', ')})`);
  }
  if (new Set(ids).size !== ids.length)
    throw new Error(`a target is named twice: ${ids.join(',')}`);
  return /** @type {TargetId[]} */ (ids);
}

/**
 * `--compiler webpack,rspack`: the targets of each compiler's pair.
 * @param {string[]} names
 * @returns {TargetId[]}
 */
export function targetsOfCompilers(names) {
  if (names.length === 0) throw new Error('no compiler given');
  return names.flatMap((name) => {
    if (!Object.hasOwn(COMPILER_TARGETS, name))
      throw new Error(`unknown compiler "${name}" (expected webpack or rspack)`);
    return COMPILER_TARGETS[/** @type {CompilerName} */ (name)];
  });
}

/**
 * @typedef {object} Target
 * @property {TargetId} id
 * @property {string} label
 * @property {CompilerName} compiler
 * @property {string} bin   absolute path of the package's bin script
 * @property {string[]} args  flags after the shared ones
 */

/**
 * The bin script a package declares, resolved from apps/bench's node_modules.
 * @param {string} pkg
 * @param {string} name
 */
export function resolveBin(pkg, name) {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (!bin) throw new Error(`${pkg} declares no bin "${name}"`);
  return join(dirname(manifestPath), bin);
}

/**
 * @param {string} pkg
 * @returns {string}
 */
export function packageVersion(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

/**
 * @param {TargetId[]} ids  which targets, in the order they alternate (A B A B)
 * @returns {Target[]}
 */
export function createTargets(ids) {
  return ids.map((id) => {
    const { label, compiler, pkg, binName, args } = TARGETS[id];
    return { id, label, compiler, bin: resolveBin(pkg, binName), args };
  });
}

/** @returns {Promise<number>} */
export function getFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once something accepts TCP connections on 127.0.0.1:port.
 * @param {number} port
 * @param {number} timeoutMs
 * @param {() => boolean} exited
 */
export async function waitForPort(port, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the server exited before listening');
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(10);
  }
  throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

// A benchmark that dies halfway must not leave servers behind.
process.on('exit', () => {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
});

/**
 * @typedef {object} Server
 * @property {number} pid
 * @property {number} port
 * @property {number} spawnedAt   Date.now() just before spawn
 * @property {() => boolean} exited
 * @property {() => Promise<void>} stop
 */

/**
 * @param {Target} target
 * @param {{ config: string, cwd: string, port: number, env: Record<string, string>, log: string, nodeArgs?: string[] }} options
 * @returns {Server}
 */
export function startServer(target, { config, cwd, port, env, log, nodeArgs = [] }) {
  const args = [...nodeArgs, target.bin, 'serve', '--config', config, '--port', String(port)];
  args.push('--host', '127.0.0.1', ...target.args);
  const logFd = openSync(log, 'a');
  const spawnedAt = Date.now();
  // Its own process group, so that stop() reaches whatever the server starts.
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  running.add(child);
  let exited = false;
  const exit = new Promise((resolve) => {
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve(undefined);
    });
  });
  if (!child.pid) throw new Error(`could not start ${target.label}`);
  const pid = child.pid;
  return {
    pid,
    port,
    spawnedAt,
    exited: () => exited,
    async stop() {
      if (exited) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
      const stopped = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
        await exit;
      }
    },
  };
}

/**
 * The pids of a process and all its descendants (Linux /proc).
 * @param {number} rootPid
 */
function processTree(rootPid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {}
  }
  const pids = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = /** @type {number} */ (queue.pop());
    pids.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return pids;
}

/**
 * Resident set size of a process and all its descendants, in bytes.
 * @param {number} rootPid
 */
export function processTreeRss(rootPid) {
  let bytes = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (match) bytes += Number(match[1]) * 1024;
    } catch {}
  }
  return bytes;
}

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux that Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) a process and its descendants have used so far, in ms. Unlike
 * wall-clock latency it barely moves when other work shares the machine.
 * @param {number} rootPid
 */
export function processTreeCpuMs(rootPid) {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat, 12 and 13 after "(comm) ".
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
