import { createEmitter, type HotEvents, PUSHED_UPDATE_EVENT } from '@hmrkit/hot-emitter';
import { loadFixture } from '@hmrkit/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHmrLogger } from './log';
import {
  type CompileScript,
  compileWithFunction,
  installPushedUpdates,
  type ScriptEventLike,
  type WebpackRequireLike,
} from './push';

interface PushFixture {
  prevHash: string;
  pushSequence: { text: string }[];
}
const fixture = loadFixture<PushFixture>('hmrkit-push');
const push = JSON.parse(fixture.pushSequence[2]!.text).data as {
  hash: string;
  files: { name: string; content: string }[];
};
const MANIFEST = `main.${fixture.prevHash}.hot-update.json`;
const CHUNK = `main.${fixture.prevHash}.hot-update.js`;
const GLOBAL = 'webpackHotUpdatefixture_app_n3';

type Scope = { self?: unknown; [GLOBAL]?: unknown; __pushedRan?: number };
const scope = globalThis as unknown as Scope;

/** webpack's JSONP HMR helpers, reduced to what the hooks touch; the "network" is recorded. */
function createRequire(pageHash = fixture.prevHash) {
  const requests: string[] = [];
  const req: WebpackRequireLike = {
    p: 'http://127.0.0.1:8080/',
    hmrF: () => `main.${pageHash}.hot-update.json`,
    hmrM: vi.fn(async () => {
      requests.push(req.hmrF!());
      return { c: ['main'], r: [], m: [], fetched: true };
    }),
    l: vi.fn((url: string, done: (event?: ScriptEventLike) => void) => {
      requests.push(url);
      done({ type: 'load', target: { src: url } });
    }),
  };
  return { req, requests };
}

function setup(options: { pageHash?: string; compile?: CompileScript } = {}) {
  const { req, requests } = createRequire(options.pageHash);
  const emitter = createEmitter<HotEvents>({ dispatchEvents: false });
  const lines: string[] = [];
  const logger = createHmrLogger('info', {
    log: (line) => lines.push(String(line)),
    warn: (line) => lines.push(String(line)),
    error: (line) => lines.push(String(line)),
  });
  const originalLoad = req.l;
  const originalManifest = req.hmrM;
  const handle = installPushedUpdates({
    require: req,
    emitter,
    logger,
    ...(options.compile ? { compile: options.compile } : {}),
  });
  /** webpack's loadUpdateChunk: resolves when the chunk registered itself, rejects like a failed script. */
  const loadUpdateChunk = (url: string): Promise<ScriptEventLike | undefined> =>
    new Promise((resolve) => req.l!(url, resolve));
  return {
    req,
    requests,
    emitter,
    handle,
    lines,
    originalLoad,
    originalManifest,
    loadUpdateChunk,
  };
}

let registered: unknown[][];
beforeEach(() => {
  registered = [];
  // The chunk text calls self["webpackHotUpdate<uniqueName>"](chunkId, modules, runtime).
  scope.self = globalThis;
  scope[GLOBAL] = (...args: unknown[]) => registered.push(args);
});
afterEach(() => {
  delete scope.self;
  delete scope[GLOBAL];
});

describe('installPushedUpdates', () => {
  it('serves the pushed manifest and chunk without a request', async () => {
    const t = setup();
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, push.files);
    expect(await t.req.hmrM!()).toEqual({ c: ['main'], r: [], m: [], css: { r: ['main'] } });
    const event = await t.loadUpdateChunk(`http://127.0.0.1:8080/${CHUNK}`);
    expect(event).toEqual({ type: 'load', target: { src: `http://127.0.0.1:8080/${CHUNK}` } });
    expect(registered).toHaveLength(1);
    expect(registered[0]?.[0]).toBe('main');
    expect(Object.keys(registered[0]?.[1] as object)).toEqual(['./src/leaf.js']);
    expect(t.requests).toEqual([]);
    expect(t.handle.stats).toEqual({ pushed: 2, fetched: 0, refused: 0 });
  });

  it('fetches over HTTP when nothing was pushed (over the size limit, or an older server)', async () => {
    const t = setup();
    expect(await t.req.hmrM!()).toMatchObject({ fetched: true });
    await t.loadUpdateChunk(`http://127.0.0.1:8080/${CHUNK}`);
    expect(t.requests).toEqual([MANIFEST, `http://127.0.0.1:8080/${CHUNK}`]);
    expect(t.handle.stats).toEqual({ pushed: 0, fetched: 2, refused: 0 });
  });

  it('fetches a chunk the push did not carry, and uses the pushed manifest', async () => {
    const t = setup();
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, [push.files[0]!]);
    expect(await t.req.hmrM!()).toMatchObject({ c: ['main'] });
    await t.loadUpdateChunk(`http://127.0.0.1:8080/${CHUNK}`);
    expect(t.requests).toEqual([`http://127.0.0.1:8080/${CHUNK}`]);
    expect(registered).toEqual([]);
  });

  it('fetches when the page is at another hash (a reconnect that missed builds)', async () => {
    const t = setup({ pageHash: 'aaaaaaaaaaaaaaaaaaaa' });
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, push.files);
    await t.req.hmrM!();
    expect(t.requests).toEqual(['main.aaaaaaaaaaaaaaaaaaaa.hot-update.json']);
  });

  it('fetches the chunk when the page refuses to evaluate strings (CSP), from then on', async () => {
    const refuse: CompileScript = () => {
      throw new EvalError(
        "Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed",
      );
    };
    const t = setup({ compile: refuse });
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, push.files);
    await t.req.hmrM!();
    const url = `http://127.0.0.1:8080/${CHUNK}`;
    expect(await t.loadUpdateChunk(url)).toMatchObject({ type: 'load' });
    expect(t.requests).toEqual([url]);
    expect(t.lines.some((line) => line.includes('does not allow evaluating pushed updates'))).toBe(
      true,
    );
    t.emitter.emit(PUSHED_UPDATE_EVENT, 'next', [{ name: 'main.next.hot-update.js', content: '' }]);
    await t.loadUpdateChunk('http://127.0.0.1:8080/main.next.hot-update.js');
    expect(t.handle.stats.refused).toBe(2);
    expect(t.requests).toHaveLength(2);
  });

  it('reports a chunk that throws as a failed script', async () => {
    const t = setup();
    t.emitter.emit(PUSHED_UPDATE_EVENT, 'h', [
      { name: 'x.hot-update.js', content: 'throw new Error("boom")' },
    ]);
    const event = await t.loadUpdateChunk('http://127.0.0.1:8080/x.hot-update.js');
    expect(event).toEqual({
      type: 'error',
      target: { src: 'http://127.0.0.1:8080/x.hot-update.js' },
    });
    expect(t.lines.some((line) => line.includes('boom'))).toBe(true);
  });

  it('uses a pushed file once, keeps a few builds, and leaves other scripts alone', async () => {
    const t = setup();
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, push.files);
    await t.req.hmrM!();
    await t.req.hmrM!();
    expect(t.requests).toEqual([MANIFEST]);
    await t.loadUpdateChunk('http://127.0.0.1:8080/src_lazy_js.js');
    expect(t.requests).toEqual([MANIFEST, 'http://127.0.0.1:8080/src_lazy_js.js']);
    expect(t.handle.stats.fetched).toBe(1);
  });

  it('matches a chunk by the end of its URL when the public path differs', async () => {
    const t = setup();
    t.req.p = '/';
    t.emitter.emit(PUSHED_UPDATE_EVENT, push.hash, push.files);
    await t.loadUpdateChunk(`http://127.0.0.1:8080/${CHUNK}`);
    expect(registered).toHaveLength(1);
  });

  it('installs once per require, and uninstall puts webpack’s loaders back', () => {
    const t = setup();
    expect(
      installPushedUpdates({ require: t.req, emitter: t.emitter, logger: createHmrLogger('none') }),
    ).toBe(t.handle);
    t.handle.uninstall();
    expect(t.req.l).toBe(t.originalLoad);
    expect(t.req.hmrM).toBe(t.originalManifest);
  });
});

describe('compileWithFunction', () => {
  it('runs the text as a classic script and names it after its URL', () => {
    const run = compileWithFunction(
      'self.__pushedRan = (self.__pushedRan || 0) + 1;',
      'http://h/a b.js',
    );
    run();
    expect((scope as { __pushedRan?: number }).__pushedRan).toBe(1);
    delete (scope as { __pushedRan?: number }).__pushedRan;
  });
});
