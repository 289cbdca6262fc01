import { utimesSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createUnpackedProject,
  getFreePort,
  readReadmeExamples,
  type UnpackedProject,
} from '@hmrkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// The README's program, run by Node in a project with the packed @hmrkit/socket-server and
// @hmrkit/protocol and the real webpack; a ws client checks the frames it claims to send.
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const examples = readReadmeExamples(PACKAGE_DIR);

let project: UnpackedProject;

beforeAll(async () => {
  project = await createUnpackedProject(['protocol', 'socket-server'], {
    from: 'socket-server',
    links: ['webpack'],
  });
  await project.write('src/index.js', "console.log('first');\n");
  // Dated well before the program starts: webpack's watcher would otherwise take a file written
  // within its timestamp accuracy of the first build for an edit, and rebuild once more.
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(project.dir, 'src/index.js'), past, past);
}, 60_000);

afterAll(async () => {
  await project?.cleanup();
});

interface Frames {
  ws: WebSocket;
  /** Resolves with the frame types received once `count` have arrived. */
  types(count: number): Promise<string[]>;
  frames: Array<{ type: string; data?: unknown; params?: unknown }>;
  closed: Promise<number>;
}

function connect(port: number): Frames {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: `http://127.0.0.1:${port}` });
  const frames: Frames['frames'] = [];
  const waiters: Array<{ count: number; resolve: (types: string[]) => void }> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const waiter of waiters.splice(0)) {
      if (frames.length >= waiter.count) waiter.resolve(frames.map((frame) => frame.type));
      else waiters.push(waiter);
    }
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return {
    ws,
    frames,
    closed,
    types: (count) =>
      new Promise((resolve, reject) => {
        if (frames.length >= count) resolve(frames.map((frame) => frame.type));
        else waiters.push({ count, resolve });
        void closed.then(() =>
          reject(new Error(`closed after ${JSON.stringify(frames)}, before ${count} frames`)),
        );
      }),
  };
}

describe('README examples, run as written', () => {
  it('has the examples this test runs', () => {
    expect([...examples.keys()]).toEqual(['node-http']);
  });

  it("node-http: webpack-dev-server 5's frames on connect and after each build, clean shutdown", async () => {
    const port = await getFreePort();
    const running = project.run(examples.get('node-http') as never, { PORT: String(port) });
    await running.printed(/HMR socket on ws:\/\/127\.0\.0\.1:\d+\/ws/);

    const first = connect(port);
    const greeting = ['hot', 'liveReload', 'reconnect', 'overlay'];
    expect(await first.types(6)).toEqual([...greeting, 'hash', 'ok']);
    expect(first.frames.slice(2, 4)).toEqual([
      { type: 'reconnect', data: 10 },
      { type: 'overlay', data: true },
    ]);
    const firstHash = first.frames[4]?.data;
    expect(firstHash).toMatch(/^[0-9a-f]{20}$/);

    // An edit: invalid, then the new build's hash and ok.
    await writeFile(join(project.dir, 'src/index.js'), "console.log('second');\n");
    expect(await first.types(9)).toEqual([...greeting, 'hash', 'ok', 'invalid', 'hash', 'ok']);
    expect(first.frames[7]?.data).toMatch(/^[0-9a-f]{20}$/);
    expect(first.frames[7]?.data).not.toBe(firstHash);

    // A syntax error: hash, then errors with the whitelisted problem (no ok).
    await writeFile(join(project.dir, 'src/index.js'), 'console.log(;\n');
    expect((await first.types(12)).slice(9)).toEqual(['invalid', 'hash', 'errors']);
    const [problem] = (first.frames[11]?.data ?? []) as Array<Record<string, unknown>>;
    expect(problem?.message).toContain('Module parse failed');
    expect(problem?.moduleName).toBe('./src/index.js');
    expect(
      Object.keys(problem ?? {}).every((key) =>
        /^(message|moduleName|moduleIdentifier|loc|file|details|stack)$/.test(key),
      ),
    ).toBe(true);

    // A client that connects now is told about the last build.
    const second = connect(port);
    expect(await second.types(6)).toEqual([...greeting, 'hash', 'errors']);
    expect(second.frames[4]?.data).toBe(first.frames[10]?.data);

    // A page from another origin is refused with the error frame.
    const foreign = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: 'http://evil.test' });
    const refusal = await new Promise<string>((resolve) =>
      foreign.once('message', (d) => resolve(String(d))),
    );
    expect(refusal).toBe('{"type":"error","data":"Invalid Host/Origin header"}');

    // SIGTERM: the clients get close 1001 and the program exits on its own (nothing left open).
    running.child.kill('SIGTERM');
    expect(await first.closed).toBe(1001);
    expect(await second.closed).toBe(1001);
    expect(await running.exited, running.output()).toBe(0);
  }, 90_000);
});
