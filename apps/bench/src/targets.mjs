// The two servers under test, started the way a user starts them: the package's own bin
// (`webpack serve`, `hmrkit serve`) with the same webpack config, flags and environment.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);

/**
 * @typedef {object} Target
 * @property {'hmrkit' | 'wds'} id
 * @property {string} label
 * @property {string} bin   absolute path of the package's bin script
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
 * @param {string[]} ids  which targets, in the order they alternate (A B A B)
 * @returns {Target[]}
 */
export function createTargets(ids) {
  return ids.map((id) => {
    switch (id) {
      case 'hmrkit':
        return { id, label: 'hmrkit serve', bin: resolveBin('@hmrkit/cli', 'hmrkit') };
      case 'wds':
        // `webpack serve`: webpack's bin hands over to webpack-cli, which starts webpack-dev-server.
        return { id, label: 'webpack-dev-server 5', bin: resolveBin('webpack', 'webpack') };
      default:
        throw new Error(`unknown target "${id}" (expected hmrkit or wds)`);
    }
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
  args.push('--host', '127.0.0.1');
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
