import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type Project, request } from './helpers';

// The built package, as a user's process runs it (the root test script builds first).
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let project: Project | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await project?.cleanup();
  project = undefined;
});

async function startChild(
  port: number,
): Promise<{ output: () => string; exited: Promise<number | null> }> {
  project = await createProject();
  const script = `
    import webpack from 'webpack';
    import { DevServer } from ${JSON.stringify(DIST)};
    const compiler = webpack({ mode: 'development', context: ${JSON.stringify(project.dir)},
      entry: './src/index.js', devtool: false, infrastructureLogging: { level: 'none' }, stats: 'none' });
    const server = new DevServer({ host: '127.0.0.1', port: ${port}, static: false }, compiler);
    await server.start();
    await server.middleware.ready();
    console.log('READY');
  `;
  let output = '';
  child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child?.once('exit', (code) => resolve(code)),
  );
  await waitFor(() => output.includes('READY') || child?.exitCode !== null, {
    timeoutMs: 30_000,
    message: 'the dev server to start',
  });
  return { output: () => output, exited };
}

describe('DevServer: exit signals', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops the server and the watch, and the process exits 0 by itself`, async () => {
      const port = await getFreePort();
      const run = await startChild(port);
      expect(run.output()).toContain('READY');
      expect((await request(port, '/main.js')).status).toBe(200);
      const started = Date.now();
      child?.kill(signal);
      expect(await run.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect(request(port, '/main.js')).rejects.toThrow();
    });
  }
});
