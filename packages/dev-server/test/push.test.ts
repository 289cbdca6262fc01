// The pushed hot update (hmrkit's `hot-update` frame) against a real webpack
// compiler: only clients that sent `hmrkit-push` get it; everyone else gets
// webpack-dev-server 5's frames.
import { createPushRequestMessage, type HotUpdatePush, serializeMessage } from '@hmrkit/protocol';
import { describe, expect, it } from 'vitest';
import type { MultiStats, Stats } from 'webpack';
import { DevServer, DevServerError } from '../src/index';
import { collectHotUpdateFiles, DEFAULT_HOT_PUSH_MAX_BYTES, normalizeHotPush } from '../src/push';
import { createCompiler, type FrameClient, request, useDevServers } from './helpers';

const servers = useDevServers();

/** A raw client; with `maxBytes` it asks for pushes and resolves once the server has read the request. */
async function connect(server: DevServer, maxBytes?: number): Promise<FrameClient> {
  const client = await servers.frames(`ws://127.0.0.1:${server.options.port}/ws`);
  await client.waitForType('ok');
  if (maxBytes !== undefined) {
    const sockets = server.socketServer;
    if (!sockets) throw new Error('no socket server');
    // Listeners run in order: the server's own (registered at start) has seen it when ours runs.
    const heard = new Promise<void>((resolve) => sockets.once('message', () => resolve()));
    client.socket.send(serializeMessage(createPushRequestMessage(maxBytes)));
    await heard;
  }
  client.frames.length = 0;
  return client;
}

/** The frame types of the last build: from its `invalid` on. */
const lastBuild = (client: FrameClient): string[] => {
  const types = client.types();
  return types.slice(types.lastIndexOf('invalid'));
};

describe('DevServer: pushed hot updates', () => {
  it('pushes the manifest and chunk (as served over HTTP) between hash and ok, only to clients that ask', async () => {
    const { port, project, server } = await servers.start();
    const before = server.stats?.hash;
    const pusher = await connect(server, 4 * 1024 * 1024);
    const plain = await connect(server);
    project.write('src/index.js', "document.title = 'v2';\n");
    await pusher.waitForType('ok');
    await plain.waitForType('ok');
    expect(lastBuild(plain)).toEqual(['invalid', 'hash', 'ok']);
    expect(lastBuild(pusher)).toEqual(['invalid', 'hash', 'hot-update', 'ok']);
    const push = pusher.frames.findLast((f) => f.type === 'hot-update')?.data as HotUpdatePush;
    expect(push.hash).toBe(pusher.frames.findLast((f) => f.type === 'hash')?.data);
    expect(push.files.map((file) => file.name).sort()).toEqual([
      `main.${before}.hot-update.js`,
      `main.${before}.hot-update.json`,
    ]);
    for (const file of push.files) {
      const served = await request(port, `/${file.name}`);
      expect(served.status).toBe(200);
      expect(served.body).toBe(file.content);
    }
    expect(push.files.find((file) => file.name.endsWith('.js'))?.content).toContain("'v2'");
  });

  it('fetches (no push) when the build is over hotPush.maxBytes', async () => {
    const { project, server } = await servers.start({ hotPush: { maxBytes: 16 } });
    const pusher = await connect(server, 4 * 1024 * 1024);
    project.write('src/index.js', "document.title = 'v2';\n");
    await pusher.waitForType('ok');
    expect(lastBuild(pusher)).toEqual(['invalid', 'hash', 'ok']);
  });

  it('does not push a frame over the size the client announced', async () => {
    const { project, server } = await servers.start();
    const small = await connect(server, 64);
    const large = await connect(server, 4 * 1024 * 1024);
    project.write('src/index.js', "document.title = 'v2';\n");
    await small.waitForType('ok');
    await large.waitForType('ok');
    expect(lastBuild(small)).toEqual(['invalid', 'hash', 'ok']);
    expect(lastBuild(large)).toEqual(['invalid', 'hash', 'hot-update', 'ok']);
  });

  it('never pushes with hotPush: false', async () => {
    const { project, server } = await servers.start({ hotPush: false });
    const pusher = await connect(server, 4 * 1024 * 1024);
    project.write('src/index.js', "document.title = 'v2';\n");
    await pusher.waitForType('ok');
    expect(lastBuild(pusher)).toEqual(['invalid', 'hash', 'ok']);
  });

  it('does not push for a failed build', async () => {
    const { project, server } = await servers.start();
    const pusher = await connect(server, 4 * 1024 * 1024);
    project.write('src/index.js', 'document.title = ;\n');
    await pusher.waitForType('errors');
    expect(lastBuild(pusher)).toEqual(['invalid', 'hash', 'errors']);
  });
});

describe('collectHotUpdateFiles', () => {
  const fakeStats = (files: Record<string, string | Error>, other: string[] = []) =>
    ({
      compilation: {
        outputOptions: { path: '/out' },
        compiler: {
          outputFileSystem: {
            readFileSync: (path: string) => {
              const content = files[path.slice('/out/'.length)];
              if (content === undefined || content instanceof Error)
                throw content ?? new Error('ENOENT');
              return Buffer.from(content);
            },
          },
        },
        getAssets: () => [
          ...Object.keys(files).map((name) => ({ name, info: { hotModuleReplacement: true } })),
          ...other.map((name) => ({ name, info: {} })),
        ],
      },
    }) as unknown as Stats | MultiStats;

  it('reads the hot-update assets only, and leaves out a file it cannot read (the page fetches it)', () => {
    const stats = fakeStats(
      { 'main.a.hot-update.json': '{"c":["main"]}', 'main.a.hot-update.js': new Error('ENOENT') },
      ['main.js'],
    );
    expect(collectHotUpdateFiles(stats, 1024)).toEqual([
      { name: 'main.a.hot-update.json', content: '{"c":["main"]}' },
    ]);
  });

  it('gives up over the limit, and when there is nothing to push', () => {
    expect(
      collectHotUpdateFiles(fakeStats({ 'a.hot-update.js': 'x'.repeat(100) }), 99),
    ).toBeUndefined();
    expect(collectHotUpdateFiles(fakeStats({}, ['main.js']), 1024)).toBeUndefined();
  });
});

describe('normalizeHotPush (devServer.hotPush)', () => {
  it('defaults to on with 1 MiB and takes false or a byte limit', () => {
    expect(normalizeHotPush(undefined)).toEqual({ maxBytes: DEFAULT_HOT_PUSH_MAX_BYTES });
    expect(normalizeHotPush(true)).toEqual({ maxBytes: DEFAULT_HOT_PUSH_MAX_BYTES });
    expect(normalizeHotPush(false)).toBe(false);
    expect(normalizeHotPush({ maxBytes: 0 })).toEqual({ maxBytes: 0 });
    expect(normalizeHotPush({})).toEqual({ maxBytes: DEFAULT_HOT_PUSH_MAX_BYTES });
  });

  it.each([['yes'], [1], [{ maxBytes: -1 }], [{ maxBytes: 1.5 }], [{ max: 1 }], [[]], [null]])(
    'refuses %j before anything is built',
    (value) => {
      expect(() => new DevServer({ hotPush: value as never }, createCompiler('/tmp'))).toThrow(
        DevServerError,
      );
      expect(() => normalizeHotPush(value)).toThrow(/devServer\.hotPush/);
    },
  );
});
