// Every `@hmrkit/client…` and `@hmrkit/runtime…` module id that a README of
// this repository shows (entries, with or without a query, and subpaths) is
// built with webpack in a project that has the packages in node_modules, so
// webpack resolves each through the package's exports map as it would from npm.
// A README that shows a new form is covered by this test without editing it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinkedProject } from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Stats } from 'webpack';

const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

function readmes(): string[] {
  const files = [join(REPO_DIR, 'README.md')];
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(REPO_DIR, group))) {
      const file = join(REPO_DIR, group, dir, 'README.md');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

// A module id: the package, an optional subpath, an optional query (up to a
// quote, backtick, space, table bar or closing bracket).
const MODULE_ID = /@hmrkit\/(?:client|runtime)(?:\/[a-z][\w/-]*)?(?:\?[^\s'"`|)\]]*)?/g;

function documentedModuleIds(): string[] {
  const ids = new Set<string>();
  for (const file of readmes()) {
    for (const match of readFileSync(file, 'utf8').matchAll(MODULE_ID)) ids.add(match[0]);
  }
  return [...ids].sort();
}

const ids = documentedModuleIds();
// The Node-target entries (webpack's hot/poll and hot/signal).
const isNodeEntry = (id: string): boolean => /^@hmrkit\/runtime\/(?:poll|signal)\b/.test(id);

function build(dir: string, id: string): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const compiler = webpack({
      mode: 'development',
      devtool: false,
      target: isNodeEntry(id) ? 'node' : 'web',
      context: dir,
      entry: [id, './index.js'],
      output: { path: join(dir, 'dist', encodeURIComponent(id)), filename: 'main.js' },
      infrastructureLogging: { level: 'none' },
      plugins: [new webpack.HotModuleReplacementPlugin()],
    });
    compiler.run((error, stats) => {
      compiler.close(() => (error || !stats ? reject(error) : resolve(stats)));
    });
  });
}

describe('the module ids the READMEs show build with webpack', () => {
  let project: Awaited<ReturnType<typeof createLinkedProject>>;

  beforeAll(async () => {
    project = await createLinkedProject(['client', 'runtime', 'hot-emitter', 'protocol'], {
      'index.js': 'document.title = "app";\n',
    });
  });

  afterAll(async () => {
    await project?.cleanup();
  });

  it('finds the documented forms, queries included', () => {
    expect(ids).toEqual(
      expect.arrayContaining([
        '@hmrkit/client?hot=true&live-reload=true&overlay=true',
        '@hmrkit/runtime/poll?1000',
        '@hmrkit/runtime/signal?SIGHUP',
        '@hmrkit/runtime?mode=only',
        '@hmrkit/runtime',
        '@hmrkit/client/transport',
      ]),
    );
  });

  it.each(ids)('%s', async (id) => {
    const stats = await build(project.dir, id);
    const errors = (stats.toJson({ all: false, errors: true }).errors ?? []).map((e) => e.message);
    expect(errors).toEqual([]);
    const query = id.includes('?') ? id.slice(id.indexOf('?')) : '';
    if (query) {
      // The query reached the module, where the entry reads it.
      const bundle = await readFile(
        join(project.dir, 'dist', encodeURIComponent(id), 'main.js'),
        'utf8',
      );
      expect(bundle).toContain(`__resourceQuery = ${JSON.stringify(query)}`);
    }
  });
});
