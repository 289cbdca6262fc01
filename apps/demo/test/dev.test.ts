// The root `pnpm dev`, as a contributor runs it: the URL and the build status of the packages
// (turbo's summary), not their tsup logs replayed from turbo's cache (~290 lines before).
import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_DIR } from './harness';

let child: ChildProcess | undefined;

afterEach(async () => {
  const running = child;
  child = undefined;
  if (!running?.pid || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  // The child leads its own process group: pnpm, turbo and hmrkit go together.
  process.kill(-running.pid, 'SIGKILL');
  await exited;
});

describe('pnpm dev at the repository root', () => {
  it('prints the build status and the URL, not the packages’ build logs', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    child = spawn('pnpm', ['dev', '--port', '0', '--host', '127.0.0.1'], {
      cwd: REPO_DIR,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const current = child;
    const url = await waitFor(
      () => {
        if (current.exitCode !== null) throw new Error(`pnpm dev exited: ${output}`);
        return /Local: {3}(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      },
      { timeoutMs: 120_000, message: `the URL line (got:\n${output})` },
    );
    const before = output.slice(0, output.indexOf(url)).split('\n');
    // turbo's header and summary, pnpm's command line, the URL block: ~18 lines.
    expect(before.length).toBeLessThanOrEqual(25);
    expect(output).toMatch(/Tasks: +\d+ successful, \d+ total/);
    expect(output).not.toMatch(/:build: |CLI Building entry|DTS Build start/);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    await waitFor(() => /compiled in \d+ ms/.test(output), {
      timeoutMs: 60_000,
      message: 'the build line',
    });
  }, 180_000);
});
