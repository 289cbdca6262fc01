import {
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  buildTraversalCorpus,
  createTempDir,
  getFreePort,
  TRAVERSAL_MARKER,
  waitFor,
} from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import {
  createCompiler,
  createProject,
  type DevServers,
  type FrameClient,
  type Project,
  request,
  useDevServers,
} from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
const servers = useDevServers(() => [server, project]);

const BIG_TEXT = `${'All work and no play makes Jack a dull boy. '.repeat(200)}\n`;

const PUBLIC_FILES: Record<string, string> = {
  'public/index.html': '<!doctype html><h1>home</h1>',
  'public/hello.txt': 'hello world 0123456789',
  'public/style.css': 'body { color: red }',
  'public/data.json': '{"a":1}',
  'public/big.txt': BIG_TEXT,
  'public/.env': 'SECRET=root-env',
  'public/.git/config': '[core] SECRET=git',
  'public/sub/.secret': 'SECRET=sub',
  'public/sub/page.txt': 'page',
  'public/sub/.hidden/x.txt': 'SECRET=hidden',
  'public/.well-known/security.txt': 'Contact: mailto:security@example.com',
  'public/list/a.txt': 'a',
  'public/list/b/c.txt': 'c',
  'public/list/.env': 'SECRET=list',
};

type Options = NonNullable<ConstructorParameters<typeof DevServer>[0]>;

/** A project with `files` (PUBLIC_FILES) and a server on it serving its public/ folder. */
const start = (
  options: Options | ((dir: string) => Options) = {},
  files: Record<string, string> = PUBLIC_FILES,
  config: Parameters<typeof createCompiler>[1] = {},
): ReturnType<DevServers['start']> =>
  servers.start(
    (dir) => ({
      static: { directory: join(dir, 'public'), watch: false },
      ...(typeof options === 'function' ? options(dir) : options),
    }),
    files,
    config,
  );

const frames = (port: number): Promise<FrameClient> => servers.frames(`ws://127.0.0.1:${port}/ws`);

describe('static folders: dotfiles', () => {
  it('serves no dotfile or dot-folder by default, however the path spells it; /.well-known/ stays reachable', async () => {
    const { port } = await start();
    const hidden = [
      '/.env',
      '/%2eenv',
      '/%2Eenv',
      '/sub/../.env',
      '/sub/%2e%2e/.env',
      '/sub/..%2f.env',
      '/./.env',
      '//.env',
      '/.git/config',
      '/%2egit/config',
      '/.git/',
      '/.git',
      '/sub/.secret',
      '/sub/.hidden/x.txt',
      '/sub/.hidden/',
      '/.well-known/../.env',
      '/list/.env',
    ];
    for (const path of hidden) {
      const reply = await request(port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('SECRET');
      expect(reply.body, path).not.toContain('[core]');
    }
    const wellKnown = await request(port, '/.well-known/security.txt');
    expect(wellKnown.status).toBe(200);
    expect(wellKnown.body).toBe('Contact: mailto:security@example.com');
    // The listing of a folder names no dotfile.
    const listing = await request(port, '/list/');
    expect(listing.status).toBe(200);
    expect(listing.body).toContain('a.txt');
    expect(listing.body).not.toContain('.env');
    expect((await request(port, '/hello.txt')).body).toBe('hello world 0123456789');
  });

  it('serves dotfiles when staticOptions.dotfiles is "allow", and answers 403 with "deny"', async () => {
    const { port } = await start((dir) => ({
      static: [
        {
          directory: join(dir, 'public'),
          publicPath: '/open',
          staticOptions: { dotfiles: 'allow' },
          watch: false,
        },
        {
          directory: join(dir, 'public'),
          publicPath: '/closed',
          staticOptions: { dotfiles: 'deny' },
          watch: false,
        },
      ],
    }));
    expect((await request(port, '/open/.env')).body).toBe('SECRET=root-env');
    expect((await request(port, '/open/sub/.hidden/x.txt')).body).toBe('SECRET=hidden');
    const denied = await request(port, '/closed/%2eenv');
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain('SECRET');
    expect((await request(port, '/closed/.well-known/security.txt')).status).toBe(200);
  });
});

describe('static folders: HTTP', () => {
  it('answers 416 to an unsatisfiable or malformed byte Range (as webpack-dev-server 5), 206 to a good one', async () => {
    const { port } = await start();
    for (const range of ['bytes=5-2', 'bytes=abc', 'bytes=abc-def', 'bytes=', 'bytes=100-200']) {
      const reply = await request(port, '/hello.txt', { range });
      expect(reply.status, range).toBe(416);
      expect(reply.headers['content-range'], range).toBe('bytes */22');
    }
    const partial = await request(port, '/hello.txt', { range: 'bytes=0-4' });
    expect(partial.status).toBe(206);
    expect(partial.body).toBe('hello');
    expect(partial.headers['content-range']).toBe('bytes 0-4/22');
    // Not a byte range at all: ignored, as webpack-dev-server does.
    expect((await request(port, '/hello.txt', { range: 'items=1-2' })).status).toBe(200);
    expect((await request(port, '/hello.txt')).status).toBe(200);
  });

  it('sends text files with charset=utf-8 in Content-Type', async () => {
    const { port } = await start();
    expect((await request(port, '/hello.txt')).headers['content-type']).toBe(
      'text/plain; charset=utf-8',
    );
    expect((await request(port, '/style.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await request(port, '/data.json')).headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect((await request(port, '/')).headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('lists folders under static.publicPath as webpack-dev-server does: redirects keep the mount, links resolve', async () => {
    // A folder without index.html, mounted under /static.
    const { port } = await start((dir) => ({
      static: { directory: join(dir, 'public/list'), publicPath: '/static', watch: false },
    }));
    const root = await request(port, '/static');
    expect(root.status).toBe(301);
    expect(root.headers.location).toBe('/static/');
    const rootListing = await request(port, '/static/');
    expect(rootListing.status).toBe(200);
    expect(rootListing.body).toContain('a.txt');
    const sub = await request(port, '/static/b');
    expect(sub.status).toBe(301);
    expect(sub.headers.location).toBe('/static/b/');
    const listing = await request(port, '/static/b/');
    expect(listing.status).toBe(200);
    expect(listing.headers['content-type']).toBe('text/html; charset=utf-8');
    const hrefs = [...listing.body.matchAll(/href="([^"]+)"/g)].map((match) => match[1] as string);
    const file = hrefs.find((href) => href.endsWith('c.txt'));
    expect(file).toBeDefined();
    const target = new URL(file as string, `http://localhost:${port}/static/b/`).pathname;
    const fetched = await request(port, target);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toBe('c');
  });

  it('compresses with br when the client rates br like gzip (browsers), gzip when it prefers gzip', async () => {
    const { port } = await start({ compress: true });
    const browser = await request(port, '/big.txt', {
      'accept-encoding': 'gzip, deflate, br, zstd',
    });
    expect(browser.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(browser.raw).toString()).toBe(BIG_TEXT);
    const gzipFirst = await request(port, '/big.txt', { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
    expect(gzipFirst.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipFirst.raw).toString()).toBe(BIG_TEXT);
    const plain = await request(port, '/big.txt', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_TEXT);
  });
});

describe('static folders: the path traversal corpus', () => {
  it('never serves a file from outside the static folder, and keeps serving', async () => {
    const { dir: root, cleanup } = await createTempDir('hmrkit-static-traversal-');
    servers.defer(cleanup);
    // root/secret.txt … root/a/b/project/secret.txt all sit above root/a/b/project/public.
    const projectDir = join(root, 'a/b/project');
    for (const dir of ['', 'a', 'a/b', 'a/b/project']) {
      mkdirSync(join(root, dir, 'etc'), { recursive: true });
      writeFileSync(join(root, dir, 'secret.txt'), `${TRAVERSAL_MARKER} ${dir}`);
      writeFileSync(join(root, dir, 'etc/passwd'), `${TRAVERSAL_MARKER} passwd ${dir}`);
    }
    mkdirSync(join(projectDir, 'src'), { recursive: true });
    mkdirSync(join(projectDir, 'public/sub'), { recursive: true });
    writeFileSync(join(projectDir, 'src/index.js'), "console.log('inside');\n");
    writeFileSync(join(projectDir, 'public/inside.txt'), 'inside');
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        setupExitSignals: false,
        static: { directory: join(projectDir, 'public'), publicPath: '/public', watch: false },
      },
      createCompiler(projectDir, { output: { publicPath: '/assets/' } }),
    );
    await server.start();
    const port = server.options.port as number;
    const corpus = buildTraversalCorpus(root);
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    const statuses = new Map<number, number>();
    for (let i = 0; i < corpus.length; i += 50) {
      const replies = await Promise.all(
        corpus.slice(i, i + 50).map(async (url) => ({ url, reply: await request(port, url) })),
      );
      for (const { url, reply } of replies) {
        expect(reply.body, url).not.toContain(TRAVERSAL_MARKER);
        expect(reply.body, url).not.toMatch(/root:.*:0:0:/);
        expect([200, 301, 400, 403, 404, 431], url).toContain(reply.status);
        if (reply.status === 200) expect(reply.body, url).toMatch(/^inside$|Index of/);
        if (reply.status === 301) expect(reply.headers.location, url).toMatch(/^\/(?!\/)/);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      }
    }
    expect((await request(port, '/public/inside.txt')).body).toBe('inside');
    expect(statuses.get(200) ?? 0).toBeLessThan(corpus.length);
  });
});

/** The file watchers (fs.watch handles) this process holds. */
function countFileWatchers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
}

/** The inotify watches this process holds (Linux: /proc/self/fdinfo). */
function countInotifyWatches(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    count += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}

describe('static folders: watching', () => {
  it.skipIf(process.platform !== 'linux')(
    'a symlink loop (public/loop -> ..): one edit sends one static-changed frame, watches stay bounded',
    async () => {
      const before = countInotifyWatches();
      const watchersBefore = countFileWatchers();
      project = await createProject({
        'public/hello.txt': 'v1',
        'public/probe.txt': '0',
        'public/second.txt': 'v1',
      });
      symlinkSync('..', join(project.dir, 'public/loop'));
      server = new DevServer(
        {
          host: '127.0.0.1',
          port: await getFreePort(),
          setupExitSignals: false,
          static: { directory: join(project.dir, 'public'), watch: true },
        },
        createCompiler(project.dir),
      );
      await server.start();
      const port = server.options.port as number;
      const client = await frames(port);
      await client.waitForType('ok');
      const changed = (name: string): number =>
        client.frames.filter(
          (frame) => frame.type === 'static-changed' && String(frame.data).endsWith(name),
        ).length;
      // The watcher is ready once an edit of the probe file is reported.
      let n = 0;
      await waitFor(
        () => {
          writeFileSync(join(project?.dir as string, 'public/probe.txt'), String(++n));
          return changed('probe.txt') > 0;
        },
        { timeoutMs: 20_000, intervalMs: 200, message: 'the static watcher to report an edit' },
      );
      writeFileSync(join(project.dir, 'public/hello.txt'), 'v2');
      await waitFor(() => changed('hello.txt') > 0, { timeoutMs: 20_000 });
      // A later edit's frame comes after every frame of the first one.
      writeFileSync(join(project.dir, 'public/second.txt'), 'v2');
      await waitFor(() => changed('second.txt') > 0, { timeoutMs: 20_000 });
      const watches = countInotifyWatches() - before;
      const watchers = countFileWatchers() - watchersBefore;
      console.log(
        `symlink loop: ${changed('hello.txt')} static-changed frame(s) for one edit, fs.watch handles +${watchers}, inotify watches +${watches}`,
      );
      expect(changed('hello.txt')).toBe(1);
      expect(changed('second.txt')).toBe(1);
      expect(watches).toBeLessThan(40);
      expect(watchers).toBeLessThan(60);
    },
  );
});

/** Sends raw bytes and resolves with everything the server answers until it closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', (error) => {
      if (answer) resolve(answer);
      else reject(error);
    });
    socket.on('close', () => resolve(answer));
    socket.write(text);
  });
}

describe('malformed HTTP keeps Node’s statuses', () => {
  it('answers 431 to oversized headers or URL and 408 to a request whose headers never end', async () => {
    const { port } = await start({
      server: {
        type: 'http',
        options: { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 },
      },
    });
    const bigHeader = await rawExchange(
      port,
      `GET / HTTP/1.1\r\nHost: localhost:${port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(bigHeader).toMatch(/^HTTP\/1\.1 431 /);
    const bigUrl = await rawExchange(
      port,
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`,
    );
    expect(bigUrl).toMatch(/^HTTP\/1\.1 431 /);
    const slow = await rawExchange(port, `GET / HTTP/1.1\r\nHost: localhost:${port}\r\n`);
    expect(slow).toMatch(/^HTTP\/1\.1 408 /);
    const bad = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect((await request(port, '/hello.txt')).status).toBe(200);
  });
});

describe('a plugin that throws in done', () => {
  it('is reported (terminal and an errors frame), the last output stays served, the next edit rebuilds', async () => {
    const log = new PassThrough();
    let terminal = '';
    log.on('data', (chunk: Buffer) => {
      terminal += chunk;
    });
    const { port, project: p } = await start(
      { static: false },
      { 'src/index.js': "document.title = 'v1';\n" },
      {
        infrastructureLogging: { level: 'error', stream: log as never, colors: false },
        plugins: [
          {
            apply(compiler) {
              compiler.hooks.done.tap('ThrowingPlugin', () => {
                const source = readFileSync(join(compiler.context, 'src/index.js'), 'utf8');
                if (source.includes('BOOM')) throw new Error('ThrowingPlugin exploded');
              });
            },
          },
        ],
      },
    );
    const client = await frames(port);
    await client.waitForType('ok');
    p.write('src/index.js', "document.title = 'BOOM';\n");
    await client.waitForType('errors');
    const errors = client.frames.find((frame) => frame.type === 'errors');
    expect(JSON.stringify(errors?.data)).toContain('ThrowingPlugin exploded');
    expect(terminal).toContain('ThrowingPlugin exploded');
    const served = await request(port, '/main.js');
    expect(served.status).toBe(200);
    expect(served.body).toContain('BOOM');
    const oks = client.frames.filter((frame) => frame.type === 'ok').length;
    p.write('src/index.js', "document.title = 'v3';\n");
    await client.waitForType('ok', oks + 1);
    expect((await request(port, '/main.js')).body).toContain("'v3'");
  });
});
