import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import {
  connectFrames,
  createCompiler,
  createProject,
  type FrameClient,
  type Project,
  watcherSettled,
} from './helpers';

// hmrkit's default watchOptions.aggregateTimeout is 5 ms, not webpack's 20. What a user
// depends on is that a save is still one build with the whole file in it, however the editor
// writes it.

let project: Project | undefined;
let server: DevServer | undefined;
let client: FrameClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.stop();
  await project?.cleanup();
  client = server = project = undefined;
});

async function startDefault(): Promise<{ builds: string[]; dir: string }> {
  project = await createProject({ 'src/index.js': "import './leaf.js';\n", 'src/leaf.js': 'v0\n' });
  // watchOptions: {} — the config leaves aggregateTimeout to the dev server.
  const compiler = createCompiler(project.dir, { watchOptions: {} });
  // Each build, by the leaf's content webpack read.
  const builds: string[] = [];
  compiler.hooks.done.tap('test', (stats) => {
    const leaf = [...stats.compilation.modules].find((m) => m.identifier().endsWith('leaf.js'));
    builds.push(String(leaf?.originalSource()?.source() ?? '').trim());
  });
  server = new DevServer(
    { host: '127.0.0.1', port: await getFreePort(), static: false, setupExitSignals: false },
    compiler,
  );
  await server.start();
  client = await connectFrames(`ws://127.0.0.1:${server.options.port}/ws`);
  await client.waitForType('ok');
  // A fixture written just before the first build can make webpack's first scan rebuild it
  // once more (see watcherSettled): the builds counted from here are the saves'.
  await watcherSettled(compiler);
  expect(new Set(builds)).toEqual(new Set(['v0']));
  builds.length = 0;
  return { builds, dir: project.dir };
}

describe('a save is one build with the whole file, at the default aggregateTimeout', () => {
  it('for writeFile (truncate, then write) and for write-then-rename saves', async () => {
    const { builds, dir } = await startDefault();
    const leaf = join(dir, 'src/leaf.js');
    // A file of some size, so a write that split would show as a short read.
    const body = (i: number): string => `// ${'x'.repeat(64 * 1024)}\nv${i}`;
    for (let i = 1; i <= 6; i++) {
      if (i % 2 === 1) {
        writeFileSync(leaf, body(i));
      } else {
        // An editor's atomic save: a temporary file beside it, renamed over it.
        const temp = join(dir, `src/.leaf.js.${i}.tmp`);
        writeFileSync(temp, body(i));
        renameSync(temp, leaf);
      }
      await client?.waitForType('ok', i + 1);
      expect(builds.at(-1)).toBe(body(i).trim());
    }
    // One build per save, each of the complete file.
    expect(builds.map((b) => b.slice(-2))).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  });
});
