import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recorded webpack-dev-server 5 wire transcripts, and hmrkit's push frame (see fixtures/README.md). */
export type FixtureName =
  | 'wds5-transcript'
  | 'wds5-problems'
  | 'wds5-progress-overlay'
  | 'wds5-rejected'
  | 'wds5-sockjs'
  | 'wds5-client-entry'
  | 'hmrkit-push';

export const FIXTURES_DIR: string = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function loadFixture<T = unknown>(name: FixtureName): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as T;
}

/**
 * Every server→client message text recorded in a fixture: `phases[].messages[]`
 * with `dir: "server→client"` (transcript), `frames[]` of `kind: "text"`
 * (problems, progress, rejected), and the `innerMessages` of sockjs `a[...]`
 * frames. Sockjs transport frames themselves (`o`, `h`, `a[...]`) are skipped.
 */
export function collectServerFrames(fixture: unknown): string[] {
  const frames: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.innerMessages)) {
      for (const inner of record.innerMessages) if (typeof inner === 'string') frames.push(inner);
    } else if (
      typeof record.text === 'string' &&
      (record.dir === 'server\u2192client' || record.kind === 'text') &&
      record.text.startsWith('{')
    ) {
      frames.push(record.text);
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(fixture);
  return frames;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before returning). */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temp directory and a function that removes it. */
export async function createTempDir(
  prefix = 'hmrkit-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await delay(intervalMs);
  }
}

/** Debian's Chromium, which `.ci/run` installs (never a Playwright download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with: headless, no sandbox, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The packages this repository publishes (folder names under packages/). */
export const PUBLISHED_PACKAGES: readonly string[] = [
  'protocol',
  'hot-emitter',
  'memfs-middleware',
  'socket-server',
  'client',
  'runtime',
  'dev-server',
  'cli',
];

const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `pnpm pack`s the published packages (their built dist; `workspace:` ranges
 * become versions) into `dest`; returns `{name: tarball path}`.
 */
export function packPublishedPackages(dest: string): Record<string, string> {
  const tarballs: Record<string, string> = {};
  for (const dir of PUBLISHED_PACKAGES) {
    const packageDir = join(REPO_DIR, 'packages', dir);
    const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      name: string;
    };
    const output = execFileSync('pnpm', ['pack', '--pack-destination', dest], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = output
      .trim()
      .split('\n')
      .reverse()
      .find((line) => line.trim().endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack printed no tarball for ${name}:\n${output}`);
    tarballs[name] = tarball.trim().startsWith('/') ? tarball.trim() : join(dest, tarball.trim());
  }
  return tarballs;
}

/**
 * A project that depends on the packed packages as a user's does: every
 * `@hmrkit/*` dependency (direct or not) is the tarball, through `overrides`.
 */
export function packedDependencies(tarballs: Record<string, string>): {
  dependencies: Record<string, string>;
  overrides: Record<string, string>;
} {
  const specs = Object.fromEntries(
    Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]),
  );
  return { dependencies: { ...specs }, overrides: { ...specs } };
}

/**
 * A user's project in a temp folder whose node_modules links the given
 * workspace packages (folder names under packages/): webpack then resolves
 * `@hmrkit/<name>/…` through their package.json `exports`, as from npm, and
 * their own dependencies from the packages' real folders.
 */
export async function createLinkedProject(
  packages: readonly string[],
  files: Record<string, string> = {},
): Promise<{
  dir: string;
  write(file: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}> {
  const { dir, cleanup } = await createTempDir('hmrkit-project-');
  const write = async (file: string, text: string): Promise<void> => {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  };
  await mkdir(join(dir, 'node_modules', '@hmrkit'), { recursive: true });
  for (const name of packages) {
    await symlink(
      join(REPO_DIR, 'packages', name),
      join(dir, 'node_modules', '@hmrkit', name),
      'dir',
    );
  }
  for (const [file, text] of Object.entries({
    'package.json': '{ "private": true }\n',
    ...files,
  })) {
    await write(file, text);
  }
  return { dir, write, cleanup };
}

export {
  createPackedProject,
  type Example,
  installedPackage,
  type PackedProject,
  type PackedProjectOptions,
  type ReadmeBlock,
  readmeBlock,
  readmeBlocks,
  readmeCommands,
  readReadmeBlocks,
  type Spawned,
  setUpPackedProject,
  spawnTracked,
  stopSpawned,
  userEnv,
} from './readme';
export { buildTraversalCorpus, TRAVERSAL_MARKER } from './traversal';
export {
  createUnpackedProject,
  type ReadmeExample,
  type RunningExample,
  readReadmeExamples,
  runReadmeExampleToExit,
  type UnpackedProject,
} from './unpacked';
