import { type HotEmitter, PUSHED_UPDATE_EVENT } from '@hmrkit/hot-emitter';
import { formatError, type HmrLogger } from './log';

/** What a script element's `load`/`error` event gives webpack's `loadScript` callback. */
export interface ScriptEventLike {
  type: 'load' | 'error';
  target: { src: string };
}

type LoadScript = (
  url: string,
  done: (event?: ScriptEventLike) => void,
  key?: string,
  chunkId?: unknown,
) => void;

/**
 * The parts of webpack's `__webpack_require__` the push hooks into, as the
 * JSONP HMR runtime of webpack 5 defines them (lib/web/JsonpChunkLoadingRuntimeModule.js):
 * `hmrM()` fetches the update manifest named `hmrF()`, and each update chunk is
 * loaded through `l(url, done)` (a script tag) from `p + hu(chunkId)`.
 */
export interface WebpackRequireLike {
  /** The public path (resolved, for `auto`). */
  p?: string;
  /** The update manifest's file name for the current hash: `[runtime].[hash].hot-update.json`. */
  hmrF?: () => string;
  /** Downloads the update manifest; resolves `undefined` when there is none. */
  hmrM?: () => Promise<unknown>;
  /** Loads a script (chunks and update chunks). */
  l?: LoadScript;
}

/** Compiles a pushed chunk's text. Throws when the page may not evaluate strings (CSP, Trusted Types). */
export type CompileScript = (code: string, url: string) => () => void;

export interface PushedUpdatesOptions {
  /** The bundle's `__webpack_require__`. */
  require: WebpackRequireLike;
  /** The hot emitter the client emits `hmrkitPushedUpdate` on. */
  emitter: HotEmitter;
  logger: HmrLogger;
  /** @default `new Function(code)`, named after `url` for the devtools */
  compile?: CompileScript;
  /** How many builds' files are kept until webpack asks for them. @default 8 */
  maxBuilds?: number;
}

/** How each requested update file was loaded (for logs and tests). */
export interface PushStats {
  /** Manifests and chunks taken from a push. */
  pushed: number;
  /** Requests that went to the network because nothing matching was pushed. */
  fetched: number;
  /** Pushed chunks the page refused to evaluate (CSP): fetched instead. */
  refused: number;
}

export interface PushedUpdates {
  readonly stats: PushStats;
  /** Puts webpack's own loaders back and stops listening. */
  uninstall(): void;
}

const INSTALLED = Symbol.for('hmrkit.pushedUpdates');

/**
 * `new Function` runs a chunk the way a classic script does (sloppy mode,
 * global `self`); the `sourceURL` names it after the file it replaces, so
 * stack traces and its source map resolve as if it had been fetched.
 */
export const compileWithFunction: CompileScript = (code, url) => {
  // Evaluating the pushed chunk is the point; a CSP that forbids it makes this throw, and
  // the caller fetches the chunk instead.
  const run = new Function(`${code}\n//# sourceURL=${url.replace(/\s/g, encodeURIComponent)}`);
  return () => run.call(globalThis);
};

/**
 * Lets webpack's HMR runtime use a pushed update: wraps `hmrM` (the manifest)
 * and `l` (the update chunk's script) so that a file the server pushed over the
 * socket is used from memory, and everything else — a file not pushed (too
 * large, missing, a build pushed before this page connected), or a chunk the
 * page's CSP will not evaluate — goes to webpack's own loader, over HTTP, as before.
 */
export function installPushedUpdates(options: PushedUpdatesOptions): PushedUpdates {
  const { require: req, emitter, logger } = options;
  const compile = options.compile ?? compileWithFunction;
  const maxBuilds = options.maxBuilds ?? 8;
  const stats: PushStats = { pushed: 0, fetched: 0, refused: 0 };
  const target = req as WebpackRequireLike & { [INSTALLED]?: PushedUpdates };
  const existing = target[INSTALLED];
  if (existing) return existing;

  // name → text, per build, oldest first; a file is dropped once used.
  const builds: Map<string, string>[] = [];
  let evalRefused = false;

  const take = (name: string): string | undefined => {
    for (let i = builds.length - 1; i >= 0; i--) {
      const files = builds[i]!;
      const text = files.get(name);
      if (text !== undefined) {
        files.delete(name);
        if (files.size === 0) builds.splice(i, 1);
        return text;
      }
    }
    return undefined;
  };

  // `l` gets `publicPath + name`; match the name after the public path, or the URL's tail.
  const nameOf = (url: string): string | undefined => {
    const base = req.p ?? '';
    if (base && url.startsWith(base)) return url.slice(base.length);
    for (let i = builds.length - 1; i >= 0; i--) {
      for (const name of builds[i]!.keys()) if (url.endsWith(`/${name}`)) return name;
    }
    return undefined;
  };

  const offPush = emitter.on(PUSHED_UPDATE_EVENT, (_hash, files) => {
    if (!Array.isArray(files) || files.length === 0) return;
    const map = new Map<string, string>();
    for (const file of files) map.set(file.name, file.content);
    builds.push(map);
    while (builds.length > maxBuilds) builds.shift();
  });

  const originalManifest = req.hmrM;
  const manifest =
    originalManifest &&
    ((): Promise<unknown> => {
      const name = typeof req.hmrF === 'function' ? req.hmrF() : undefined;
      const text = name === undefined ? undefined : take(name);
      if (text !== undefined) {
        try {
          const parsed: unknown = JSON.parse(text);
          stats.pushed++;
          return Promise.resolve(parsed);
        } catch {
          // not JSON after all: let webpack fetch the real one
        }
      }
      stats.fetched++;
      return originalManifest();
    });

  const originalLoad = req.l;
  const load: LoadScript | undefined =
    originalLoad &&
    ((url, done, key, chunkId) => {
      const name = builds.length > 0 ? nameOf(url) : undefined;
      const text = name === undefined ? undefined : take(name);
      if (text === undefined || evalRefused) {
        if (text !== undefined) stats.refused++;
        else if (url.includes('hot-update')) stats.fetched++;
        return originalLoad(url, done, key, chunkId);
      }
      let run: () => void;
      try {
        run = compile(text, url);
      } catch (error) {
        // CSP without 'unsafe-eval', or Trusted Types: never again on this page.
        evalRefused = true;
        stats.refused++;
        logger.info(
          `The page does not allow evaluating pushed updates (${formatError(error).split('\n')[0]}); fetching them instead.`,
        );
        return originalLoad(url, done, key, chunkId);
      }
      stats.pushed++;
      try {
        run();
      } catch (error) {
        // What a throwing <script> would do: the chunk did not register, webpack reports it.
        logger.error(formatError(error));
        done({ type: 'error', target: { src: url } });
        return;
      }
      done({ type: 'load', target: { src: url } });
    });

  if (manifest) req.hmrM = manifest;
  if (load) req.l = load;

  const handle: PushedUpdates = {
    stats,
    uninstall() {
      offPush();
      if (manifest && req.hmrM === manifest) req.hmrM = originalManifest;
      if (load && req.l === load) req.l = originalLoad;
      delete target[INSTALLED];
    },
  };
  Object.defineProperty(target, INSTALLED, { value: handle, configurable: true });
  return handle;
}

/** The bundle's `__webpack_require__` when it has webpack's JSONP HMR runtime; `undefined` elsewhere. */
export function getWebpackRequire(): WebpackRequireLike | undefined {
  if (typeof __webpack_require__ !== 'function') return undefined;
  const req = __webpack_require__ as WebpackRequireLike;
  return typeof req.hmrM === 'function' ? req : undefined;
}
