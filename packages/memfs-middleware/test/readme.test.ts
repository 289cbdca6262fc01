import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTempDir,
  getFreePort,
  readmeBlocks,
  type Spawned,
  spawnTracked,
  stopSpawned,
} from '@hmrkit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { get, type Reply } from './helpers';

/**
 * Runs every README example as written: each `<!-- example: name -->` block is a whole
 * program, started with node in a project that has the README's webpack.config.js, a
 * src/index.js, the package as `pnpm pack` makes it (so `files` and `exports` are what users
 * get), and node_modules links to the real framework packages.
 */

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const README = join(PACKAGE_DIR, 'README.md');

const examples = readmeBlocks(README, 'example');
const files = readmeBlocks(README, 'example-file');

/** The packed package's own dependencies, linked beside it. */
const DEPENDENCIES = Object.keys(
  JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).dependencies as object,
);

/** Package name in the example → the package linked under it (second majors by alias). */
const LINKS: Record<string, string> = {
  webpack: 'webpack',
  connect: 'connect',
  express: 'express',
  router: 'router',
  koa: 'koa',
  fastify: 'fastify',
  hono: 'hono',
  '@hono/node-server': '@hono/node-server',
  '@hapi/hapi': '@hapi/hapi',
  '@rspack/core': '@rspack/core',
};

let root: string;
let cleanup: () => Promise<void>;
/** Where the packed package is unpacked, with its dependencies linked beside it. */
let packed: string;

function link(path: string, target: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

beforeAll(async () => {
  if (!existsSync(join(PACKAGE_DIR, 'dist/hapi.js'))) {
    throw new Error('Build @hmrkit/memfs-middleware first (pnpm build): the examples import dist/');
  }
  ({ dir: root, cleanup } = await createTempDir('hmrkit-memfs-readme-'));
  execFileSync('pnpm', ['pack', '--pack-destination', root], { cwd: PACKAGE_DIR, stdio: 'pipe' });
  const tarball = readdirSync(root).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error('pnpm pack made no tarball');
  packed = join(root, 'packed/node_modules/@hmrkit/memfs-middleware');
  mkdirSync(packed, { recursive: true });
  execFileSync('tar', ['-xzf', join(root, tarball), '-C', packed, '--strip-components=1']);
  for (const name of DEPENDENCIES) {
    link(
      join(root, 'packed/node_modules', name),
      realpathSync(join(PACKAGE_DIR, 'node_modules', name)),
    );
  }
}, 60_000);

afterEach(async () => {
  await stopSpawned();
});

afterAll(async () => {
  await cleanup?.();
});

let projects = 0;

/** A fresh project for one example; `swap` links a package name to another installed one. */
function createProject(example: string, swap: Record<string, string> = {}): string {
  const dir = join(root, `project-${++projects}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'webpack.config.js'), files.get('webpack.config.js') as string);
  writeFileSync(join(dir, 'src/index.js'), "console.log('readme example bundle');\n");
  writeFileSync(join(dir, 'example.js'), examples.get(example) as string);
  link(join(dir, 'node_modules/@hmrkit/memfs-middleware'), packed);
  for (const [name, installed] of Object.entries({ ...LINKS, ...swap })) {
    link(
      join(dir, 'node_modules', name),
      realpathSync(join(PACKAGE_DIR, 'node_modules', installed)),
    );
  }
  return dir;
}

interface Started extends Spawned {
  port: number;
}

function start(dir: string, port: number): Started {
  return {
    ...spawnTracked(process.execPath, ['example.js'], {
      cwd: dir,
      env: { PORT: String(port), NO_COLOR: '1' },
    }),
    port,
  };
}

/** GET once the example listens: retried on "connection refused" until it does or exits. */
async function fetchWhenUp(started: Started, path: string): Promise<Reply> {
  let gone = false;
  void started.exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`the example exited before listening:\n${started.output()}`);
    try {
      return await get(started.port, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('README examples, run as written', () => {
  it('has the examples this test expects', () => {
    expect([...examples.keys()].sort()).toEqual(
      [
        'apiVersion-8',
        'connect',
        'express',
        'fastify',
        'hapi',
        'hono',
        'koa',
        'node-http',
        'plugin-mode',
        'router',
        'rspack',
      ].sort(),
    );
    expect(files.has('webpack.config.js')).toBe(true);
  });

  it.each([
    ['node-http', {}],
    ['connect', {}],
    ['express', {}],
    ['express', { express: 'express-5' }],
    ['router', {}],
    ['koa', {}],
    ['fastify', {}],
    ['hono', {}],
    ['hono', { '@hono/node-server': 'hono-node-server-1' }],
    ['hapi', {}],
    ['plugin-mode', {}],
    ['rspack', {}],
  ] as Array<[string, Record<string, string>]>)(
    '%s (%j) serves /main.js from memory',
    async (example, swap) => {
      const dir = createProject(example, swap);
      const started = start(dir, await getFreePort());
      const reply = await fetchWhenUp(started, '/main.js');
      expect(reply.status, started.output()).toBe(200);
      expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(reply.text).toContain('readme example bundle');
      // Served from memory: nothing was written to the project's dist/.
      expect(existsSync(join(dir, 'dist'))).toBe(false);
      if (example === 'express') {
        const ssr = await get(started.port, '/');
        expect(ssr.text).toMatch(/^[0-9a-f]{20}$/);
      }
      if (example === 'plugin-mode') {
        // The caller's watch callback prints the stats.
        await started.printed(/compiled successfully/);
      }
    },
    60_000,
  );

  it('apiVersion-8 prints the filename getFilenameFromUrl resolved to, then exits', async () => {
    const dir = createProject('apiVersion-8');
    const started = start(dir, await getFreePort());
    expect(await started.exited, started.output()).toBe(0);
    expect(started.output()).toContain(`${join(dir, 'dist', 'main.js')} immutable=false`);
  }, 60_000);
});
