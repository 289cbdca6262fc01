import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@hmrkit/test-utils';

/** packages/cli */
export const PACKAGE_DIR: string = fileURLToPath(new URL('..', import.meta.url));

/**
 * Temp projects live inside the package (gitignored) so that `webpack` and `jiti` resolve from
 * packages/cli/node_modules, as they would from a user's node_modules.
 */
export const TMP_ROOT: string = join(PACKAGE_DIR, '.tmp-test');

export interface TempProject {
  dir: string;
  write(file: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createTempProject(files: Record<string, string> = {}): Promise<TempProject> {
  await mkdir(TMP_ROOT, { recursive: true });
  const dir = await mkdtemp(join(TMP_ROOT, 'project-'));
  const write = async (file: string, text: string): Promise<void> => {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  };
  // Its own package.json, as a user's project has: without it the folder would inherit
  // packages/cli's "type": "module" and .js configs would load as ES modules.
  const all = {
    'package.json': '{ "name": "hmrkit-cli-test-project", "private": true }\n',
    ...files,
  };
  for (const [file, text] of Object.entries(all)) await write(file, text);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A stdout/stderr stand-in that keeps what was written. */
export interface Capture {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
  readonly text: string;
}

export function createCapture(options: { isTTY?: boolean; columns?: number } = {}): Capture {
  const chunks: string[] = [];
  return {
    ...options,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    get text() {
      return chunks.join('');
    },
  };
}

/** The io for runCli/startServe in tests: captured streams, no colors, a given cwd. */
export function createTestIo(cwd: string, env: Record<string, string | undefined> = {}) {
  const stdout = createCapture();
  const stderr = createCapture();
  return { stdout, stderr, cwd, env: { NO_COLOR: '1', ...env } };
}

/** A tiny web app: src/index.js and a webpack config in the given flavour. */
export const APP_SOURCE = "document.body.textContent = 'hello from hmrkit';\n";

/** The built bin, as npm links it. */
export const BIN: string = join(PACKAGE_DIR, 'bin/hmrkit.js');

/** A child's environment without color hints, so non-TTY output must come out plain. */
export const childEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return env;
};

export interface SpawnedServe {
  child: ChildProcess;
  /** The `Local:` URL it printed. */
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGINT and resolves with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `hmrkit serve --port 0 --host 127.0.0.1 ...args` in a spawned process, once it prints its
 * URL. The child goes into `children` (the caller kills what is left after each test); a child
 * that dies early fails at once, with its stderr.
 */
export async function spawnServe(
  dir: string,
  args: string[],
  children: ChildProcess[],
  env: NodeJS.ProcessEnv = childEnv(),
): Promise<SpawnedServe> {
  const child = spawn('node', [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`hmrkit exited ${child.exitCode}: ${stderr}`);
      return /Local: {3}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
    },
    { timeoutMs: 20_000, message: 'the URL line' },
  );
  return {
    child,
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
