// What ends up in a user's bundle: webpack 5 over the built client entry.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack, { type Configuration, type Stats } from 'webpack';

const CLIENT_DIR = fileURLToPath(new URL('..', import.meta.url));

function compile(config: Configuration): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close(() => (error || !stats ? reject(error) : resolve(stats)));
    });
  });
}

describe('bundling @hmrkit/client with webpack', () => {
  let dir: string;
  const bundle = async (name: string, alias: Record<string, string> = {}) => {
    const stats = await compile({
      mode: 'development',
      devtool: false,
      context: dir,
      target: 'web',
      infrastructureLogging: { level: 'none' },
      entry: ['@hmrkit/client?hostname=localhost&port=8080&hot=true&live-reload=true', './app.js'],
      output: { path: join(dir, name), filename: 'main.js' },
      resolve: {
        modules: ['node_modules', join(CLIENT_DIR, 'node_modules')],
        alias: { '@hmrkit/client$': join(CLIENT_DIR, 'dist', 'index.js'), ...alias },
      },
      plugins: [new webpack.HotModuleReplacementPlugin()],
    });
    return { stats, code: await readFile(join(dir, name, 'main.js'), 'utf8') };
  };

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIR, 'dist', 'index.js'))) {
      execFileSync('pnpm', ['run', 'build'], { cwd: CLIENT_DIR, stdio: 'ignore' });
    }
    dir = await mkdtemp(join(tmpdir(), 'hmrkit-bundle-'));
    await writeFile(join(dir, 'app.js'), 'document.title = "app";\n');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uses the WebSocket transport by default and contains no SockJS', async () => {
    const { stats, code } = await bundle('default');
    expect(stats.hasErrors()).toBe(false);
    expect(stats.hasWarnings()).toBe(false);
    expect(code).toContain('new Impl(url)'); // the WebSocket transport
    expect(code).not.toMatch(/sockjs/i);
    // webpack resolved the free variables our dist left for it.
    expect(code).not.toMatch(/typeof __resourceQuery|typeof __webpack_hash__/);
    expect(code).toContain('?hostname=localhost&port=8080&hot=true&live-reload=true');
  }, 30_000);

  it('switches to SockJS when @hmrkit/client/transport is aliased', async () => {
    const { stats, code } = await bundle('sockjs', {
      '@hmrkit/client/transport$': join(CLIENT_DIR, 'dist', 'transports', 'sockjs.js'),
    });
    expect(stats.hasErrors()).toBe(false);
    expect(code).toMatch(/node_modules\/sockjs-client\//);
    expect(code).not.toContain('new Impl(url)');
  }, 30_000);
});
