// What the README tests share: the marked code blocks of a README, a user's project that has the
// packed packages npm-installed, and spawned programs whose output a test waits on.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packPublishedPackages } from './index';

/**
 * A code block a README marks for its test, with the comment line right above the fence:
 * `<!-- example: name -->` (a whole program), `<!-- example-file: name -->` (a file the
 * examples use), `<!-- example-config: name -->` (a webpack config or a fragment of one),
 * `<!-- example-sh: name -->` (command lines). Unmarked blocks are not run.
 */
export interface ReadmeBlock {
  /** `example`, `example-file`, `example-config`, `example-sh`, … */
  kind: string;
  name: string;
  /** The fence's language (`js`, `sh`, …), or ''. */
  lang: string;
  code: string;
}

const MARKED_BLOCK = /<!-- (example(?:-[a-z]+)?): ([\w.-]+) -->\n```(\w*)\n([\s\S]*?)```/g;

/** Every marked block of a README, in order; a name used twice for one kind throws. */
export function readReadmeBlocks(file: string): ReadmeBlock[] {
  const text = readFileSync(file, 'utf8');
  const blocks: ReadmeBlock[] = [];
  const seen = new Set<string>();
  for (const [, kind, name, lang, code] of text.matchAll(MARKED_BLOCK)) {
    const key = `${kind}:${name}`;
    if (seen.has(key)) throw new Error(`${file}: two blocks are marked ${key}`);
    seen.add(key);
    blocks.push({ kind: kind as string, name: name as string, lang: lang ?? '', code: code ?? '' });
  }
  return blocks;
}

/** The marked blocks of one kind, by name. */
export function readmeBlocks(file: string, kind: string): Map<string, string> {
  return new Map(
    readReadmeBlocks(file)
      .filter((block) => block.kind === kind)
      .map((block) => [block.name, block.code]),
  );
}

/** The one block of `kind` called `name`; throws (naming the README) when there is none. */
export function readmeBlock(blocks: Map<string, string>, name: string): string {
  const code = blocks.get(name);
  if (code === undefined) throw new Error(`the README has no block marked ${name}`);
  return code;
}

export interface PackedProject {
  /** The folder with package.json and node_modules. */
  dir: string;
  /**
   * A fresh folder inside `dir` with its own package.json (so webpack's cache and hmrkit's
   * records stay per example) and the given files; modules resolve from `dir`'s node_modules.
   */
  example(files: Record<string, string>, packageJson?: Record<string, unknown>): Promise<Example>;
}

export interface Example {
  dir: string;
  write(file: string, text: string): Promise<void>;
}

export interface PackedProjectOptions {
  /** The tarballs from `packPublishedPackages`. */
  tarballs: Record<string, string>;
  /** The `@hmrkit/*` packages the project depends on (all of them are overrides). */
  packages: readonly string[];
  /** Registry dependencies, `{name: range}` (installed with `--prefer-offline`). */
  dependencies?: Record<string, string>;
  /** Packages linked into node_modules after the install, `{name: folder}` (large native ones). */
  links?: Record<string, string>;
}

/**
 * A user's project at `dir`: the packed `@hmrkit/*` packages (every `@hmrkit` dependency, direct
 * or not, is a tarball through `overrides`) and the registry dependencies npm-installed, as a
 * user's `npm install` makes it.
 */
export async function createPackedProject(
  dir: string,
  { tarballs, packages, dependencies = {}, links = {} }: PackedProjectOptions,
): Promise<PackedProject> {
  const overrides = Object.fromEntries(
    Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]),
  );
  const direct: Record<string, string> = { ...dependencies };
  for (const name of packages) {
    const spec = overrides[name];
    if (!spec) throw new Error(`${name} was not packed`);
    direct[name] = spec;
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'readme-project', private: true, dependencies: direct, overrides }, null, 2)}\n`,
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 },
  );
  for (const [name, target] of Object.entries(links)) {
    const path = join(dir, 'node_modules', name);
    await mkdir(dirname(path), { recursive: true });
    symlinkSync(target, path, 'dir');
  }
  let examples = 0;
  return {
    dir,
    async example(files, packageJson = { private: true }) {
      const exampleDir = join(dir, `example-${++examples}`);
      const write = async (file: string, text: string): Promise<void> => {
        const target = join(exampleDir, file);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      };
      await write('package.json', `${JSON.stringify(packageJson)}\n`);
      for (const [file, text] of Object.entries(files)) await write(file, text);
      return { dir: exampleDir, write };
    },
  };
}

/** A package as a workspace package's node_modules has it: its real folder and its version. */
export function installedPackage(
  packageDir: string,
  name: string,
): { dir: string; version: string } {
  const dir = realpathSync(join(packageDir, 'node_modules', name));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}

/**
 * For a README test's beforeAll: packs the published packages into a fresh temp folder and
 * npm-installs a project there (`createPackedProject`); `cleanup` removes it all.
 */
export async function setUpPackedProject(
  prefix: string,
  options: Omit<PackedProjectOptions, 'tarballs'>,
): Promise<{ project: PackedProject; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const tarballs = packPublishedPackages(root);
    return {
      project: await createPackedProject(join(root, 'app'), { ...options, tarballs }),
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /**
   * Resolves with the first match of `pattern` in the output from `from` on (default: the
   * start), once it is there; rejects when the process exits without printing it.
   */
  printed(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) unless it has exited; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<Spawned>();

/**
 * The environment a user's terminal has: this process's without what vitest sets (`NODE_ENV=test`
 * would, for one, make react-refresh/babel refuse to run) and without color hints.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') continue;
    if (key === 'NO_COLOR' || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Spawns a program with piped output, tracked for `stopSpawned()`; `env` adds to `userEnv()`.
 * `group: true` makes it lead a process group that signals go to (`pnpm dev` → turbo → hmrkit).
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; group?: boolean },
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: userEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  });
  let output = '';
  let done = false;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    notify();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      done = true;
      running.delete(spawned);
      notify();
      resolve(code);
    });
  });
  const spawned: Spawned = {
    child,
    output: () => output,
    printed: (pattern, from = 0) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(
            output.slice(from),
          );
          if (match) {
            waiters.delete(check);
            resolve(match);
          } else if (done) {
            waiters.delete(check);
            reject(
              new Error(`${command} exited without printing ${pattern}; it printed:\n${output}`),
            );
          }
        };
        waiters.add(check);
        check();
      }),
    exited,
    stop: (signal = 'SIGTERM') => {
      if (!done) {
        try {
          if (options.group && child.pid) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // gone between the check and the signal
        }
      }
      return exited;
    },
  };
  running.add(spawned);
  return spawned;
}

/** Kills (SIGKILL) every process `spawnTracked` started that still runs; for afterEach. */
export async function stopSpawned(): Promise<void> {
  await Promise.all([...running].map((spawned) => spawned.stop('SIGKILL')));
}

/**
 * The command lines of a README's shell block, one string per line, without `#` comments
 * (a whole-line comment or one after the command) and blank lines.
 */
export function readmeCommands(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/(^|\s+)#.*$/, '').trim())
    .filter(Boolean);
}
