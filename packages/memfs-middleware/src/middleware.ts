import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MultiStats, Stats } from 'webpack';
import {
  type AnyCompiler,
  asWebpackCompiler,
  createContext,
  type MiddlewareContext,
  startWatching,
} from './context';
import { ForwardedError } from './errors';
import { createRequestHandler, type RequestHandler } from './handler';
import type { HotUpdateGeneration, HotUpdateListener } from './hotUpdates';
import {
  type ApiVersion,
  type MemfsMiddlewareOptions,
  type ServedFileSystem,
  validateOptions,
} from './options';
import { getServedTargets, resolveFile } from './resolve';
import {
  createNodeRequestSeam,
  createNodeResponseSeam,
  type RequestSeam,
  type ResponseSeam,
} from './seam';

export type NextFunction = (error?: unknown) => void;

/** The file system calls' `stat` result, as `extra.stats` in webpack-dev-middleware 8. */
export type FileStats = ReturnType<ServedFileSystem['statSync']>;

/** What webpack-dev-middleware 8's `getFilenameFromUrl` resolves to. */
export interface FilenameWithExtra {
  filename: string;
  extra: { stats: FileStats; outputFileSystem: ServedFileSystem; immutable: boolean };
}

/** `getFilenameFromUrl`'s result in each webpack-dev-middleware major. */
export type FilenameResult<V extends ApiVersion> = V extends 8
  ? Promise<FilenameWithExtra | undefined>
  : string | undefined;

/** The connect/express/node:http middleware, with webpack-dev-middleware 7's (or 8's) API on it. */
export interface MemfsMiddleware<V extends ApiVersion = ApiVersion> {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void>;
  readonly context: MiddlewareContext;
  /** Runs `callback(stats)` now if the bundle is valid, otherwise after the next build. */
  waitUntilValid(callback?: (stats: Stats | MultiStats) => void): void;
  /** Marks the bundle invalid, rebuilds, then runs `callback(stats)`. */
  invalidate(callback?: (stats: Stats | MultiStats) => void): void;
  /** Stops the watcher (in plugin mode the watcher is yours: nothing is closed). */
  close(callback?: (error?: Error | null) => void): void;
  /**
   * The file a URL maps to in the output fs. `apiVersion: 7`: the filename or `undefined`
   * (also for 400/403 paths). `apiVersion: 8`: a promise of `{ filename, extra }` or
   * `undefined`, rejected with a `MemfsMiddlewareError` (`INVALID_PATH`, `FORBIDDEN_PATH`) for 400/403 paths.
   */
  getFilenameFromUrl(url: string): FilenameResult<V>;
  /** Resolves with the stats of the next valid bundle. */
  ready(): Promise<Stats | MultiStats>;
  /** Listens for each build's hot-update files; returns an unsubscribe function. */
  onHotUpdateGeneration(listener: HotUpdateListener): () => void;
  /** Hot-update generations still served, oldest first. */
  hotUpdateGenerations(): readonly HotUpdateGeneration[];
  /**
   * The framework-neutral core: serves through a {@link RequestSeam}/{@link ResponseSeam}
   * pair and resolves `true` when it answered, `false` to fall through; with `forwardError`
   * it rejects with a `ForwardedError` instead of sending an error page. Adapters use it.
   * (Not named `handle`: connect takes any function with a `handle` method for a sub-app.)
   */
  handleSeam(req: RequestSeam, res: ResponseSeam): Promise<boolean>;
  /** Sends the HTML error page through the seam (e.g. 404 when nothing else answers). */
  sendError(req: RequestSeam, res: ResponseSeam, status: number): void;
}

type Locals = { webpack?: { devMiddleware: MiddlewareContext } } & Record<string, unknown>;

/**
 * Serves a webpack (or Rspack) Compiler's or MultiCompiler's output from memory. Sets the output fs,
 * starts (or reuses) the watcher, and returns a `(req, res, next)` middleware.
 * `isPlugin` is webpack-dev-middleware 8's plugin mode: call it from a plugin's `apply`;
 * it neither starts a watcher (run `compiler.watch()` yourself) nor prints stats.
 */
export function createMemfsMiddleware<V extends ApiVersion = 7>(
  anyCompiler: AnyCompiler,
  options?: MemfsMiddlewareOptions & { apiVersion?: V },
  isPlugin = false,
): MemfsMiddleware<V> {
  const compiler = asWebpackCompiler(anyCompiler);
  const validated = validateOptions(options);
  const context = createContext(compiler, validated, isPlugin);

  const waitUntilValid = (callback: (stats: Stats | MultiStats) => void = () => {}): void => {
    if (context.state && context.stats) {
      callback(context.stats);
      return;
    }
    context.callbacks.push(callback);
  };
  const handler: RequestHandler = createRequestHandler(context, waitUntilValid);
  if (!isPlugin) startWatching(context);
  // In plugin mode the watcher is whatever the caller started, once it has.
  const watching = (): MiddlewareContext['watching'] =>
    context.watching ?? (isPlugin ? compiler.watching : undefined);

  const middleware = async (
    req: IncomingMessage,
    res: ServerResponse,
    next?: NextFunction,
  ): Promise<void> => {
    const response = res as ServerResponse & { locals?: Locals };
    response.locals ??= {};
    const reqSeam = createNodeRequestSeam(req);
    const resSeam = createNodeResponseSeam(res);
    let handled: boolean;
    try {
      handled = await handler.handle(reqSeam, resSeam);
    } catch (error) {
      if (error instanceof ForwardedError) {
        if (next) next(error);
        else handler.sendPage(reqSeam, resSeam, error.statusCode);
        return;
      }
      context.logger.error(error);
      if (!res.headersSent) handler.sendPage(reqSeam, resSeam, 500);
      else res.destroy();
      return;
    }
    if (handled) return;
    if (validated.serverSideRender) {
      await handler.ready();
      response.locals.webpack = { devMiddleware: context };
    }
    if (next) next();
    else handler.sendPage(reqSeam, resSeam, 404);
  };

  const index =
    validated.index === false
      ? false
      : typeof validated.index === 'string'
        ? validated.index
        : 'index.html';
  const lookup = (url: string) =>
    context.stats
      ? resolveFile(
          url,
          getServedTargets(context.stats, validated),
          context.outputFileSystem,
          index,
        )
      : undefined;

  const getFilenameV7 = (url: string): string | undefined => {
    try {
      return lookup(url)?.filename;
    } catch {
      return undefined;
    }
  };
  const getFilenameV8 = async (url: string): Promise<FilenameWithExtra | undefined> => {
    const file = lookup(url);
    if (!file) return undefined;
    const fs = context.outputFileSystem;
    return {
      filename: file.filename,
      extra: { stats: fs.statSync(file.filename), outputFileSystem: fs, immutable: file.immutable },
    };
  };

  return Object.assign(middleware, {
    context,
    waitUntilValid,
    invalidate(callback?: (stats: Stats | MultiStats) => void): void {
      // Invalidate first: the `invalid` hook marks the bundle stale synchronously, so the
      // callback waits for the new build instead of firing with the old stats.
      watching()?.invalidate();
      waitUntilValid(callback);
    },
    close(callback: (error?: Error | null) => void = () => {}): void {
      if (!context.watching) {
        callback(null);
        return;
      }
      context.watching.close((error?: Error | null) => callback(error));
    },
    getFilenameFromUrl: (validated.apiVersion === 8 ? getFilenameV8 : getFilenameV7) as unknown as (
      url: string,
    ) => FilenameResult<V>,
    ready(): Promise<Stats | MultiStats> {
      return new Promise<Stats | MultiStats>((resolve) => {
        waitUntilValid(resolve);
      });
    },
    onHotUpdateGeneration: (listener: HotUpdateListener) => context.hotUpdates.subscribe(listener),
    hotUpdateGenerations: () => context.hotUpdates.generations(),
    handleSeam: handler.handle,
    sendError: handler.sendPage,
  });
}
