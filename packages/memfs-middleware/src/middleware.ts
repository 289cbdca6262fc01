import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MultiStats, Stats } from 'webpack';
import {
  type AnyCompiler,
  asWebpackCompiler,
  createContext,
  type MiddlewareContext,
  startWatching,
} from './context';
import { createRequestHandler, type RequestHandler } from './handler';
import type { HotUpdateGeneration, HotUpdateListener } from './hotUpdates';
import { type MemfsMiddlewareOptions, validateOptions } from './options';
import { getServedTargets, resolveFile } from './resolve';
import {
  createNodeRequestSeam,
  createNodeResponseSeam,
  type RequestSeam,
  type ResponseSeam,
} from './seam';

export type NextFunction = (error?: unknown) => void;

/** The connect/express/node:http middleware, with webpack-dev-middleware 7's API on it. */
export interface MemfsMiddleware {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void>;
  readonly context: MiddlewareContext;
  /** Runs `callback(stats)` now if the bundle is valid, otherwise after the next build. */
  waitUntilValid(callback?: (stats: Stats | MultiStats) => void): void;
  /** Marks the bundle invalid, rebuilds, then runs `callback(stats)`. */
  invalidate(callback?: (stats: Stats | MultiStats) => void): void;
  /** Stops the watcher. */
  close(callback?: (error?: Error | null) => void): void;
  /** The file a URL maps to in the output fs, or `undefined` (also for 400/403 paths). */
  getFilenameFromUrl(url: string): string | undefined;
  /** Resolves with the stats of the next valid bundle. */
  ready(): Promise<Stats | MultiStats>;
  /** Listens for each build's hot-update files; returns an unsubscribe function. */
  onHotUpdateGeneration(listener: HotUpdateListener): () => void;
  /** Hot-update generations still served, oldest first. */
  hotUpdateGenerations(): readonly HotUpdateGeneration[];
  /**
   * The framework-neutral core: serves through a {@link RequestSeam}/{@link ResponseSeam}
   * pair and resolves `true` when it answered, `false` to fall through. Adapters use it.
   */
  handle(req: RequestSeam, res: ResponseSeam): Promise<boolean>;
  /** Sends the HTML error page through the seam (e.g. 404 when nothing else answers). */
  sendError(req: RequestSeam, res: ResponseSeam, status: number): void;
}

type Locals = { webpack?: { devMiddleware: MiddlewareContext } } & Record<string, unknown>;

/**
 * Serves a webpack (or Rspack) Compiler's or MultiCompiler's output from memory. Sets the output fs,
 * starts (or reuses) the watcher, and returns a `(req, res, next)` middleware.
 */
export function createMemfsMiddleware(
  compiler: AnyCompiler,
  options?: MemfsMiddlewareOptions,
): MemfsMiddleware {
  const validated = validateOptions(options);
  const context = createContext(asWebpackCompiler(compiler), validated);

  const waitUntilValid = (callback: (stats: Stats | MultiStats) => void = () => {}): void => {
    if (context.state && context.stats) {
      callback(context.stats);
      return;
    }
    context.callbacks.push(callback);
  };
  const handler: RequestHandler = createRequestHandler(context, waitUntilValid);
  startWatching(context);

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
      context.logger.error(error);
      if (!res.headersSent) handler.sendError(reqSeam, resSeam, 500);
      else res.destroy();
      return;
    }
    if (handled) return;
    if (validated.serverSideRender) {
      await handler.ready();
      response.locals.webpack = { devMiddleware: context };
    }
    if (next) next();
    else handler.sendError(reqSeam, resSeam, 404);
  };

  return Object.assign(middleware, {
    context,
    waitUntilValid,
    invalidate(callback?: (stats: Stats | MultiStats) => void): void {
      // Invalidate first: the `invalid` hook marks the bundle stale synchronously, so the
      // callback waits for the new build instead of firing with the old stats.
      context.watching?.invalidate();
      waitUntilValid(callback);
    },
    close(callback: (error?: Error | null) => void = () => {}): void {
      if (!context.watching) {
        callback(null);
        return;
      }
      context.watching.close((error?: Error | null) => callback(error));
    },
    getFilenameFromUrl(url: string): string | undefined {
      if (!context.stats) return undefined;
      try {
        return resolveFile(
          url,
          getServedTargets(context.stats, validated),
          context.outputFileSystem,
          validated.index === false
            ? false
            : typeof validated.index === 'string'
              ? validated.index
              : 'index.html',
        )?.filename;
      } catch {
        return undefined;
      }
    },
    ready(): Promise<Stats | MultiStats> {
      return new Promise<Stats | MultiStats>((resolve) => {
        waitUntilValid(resolve);
      });
    },
    onHotUpdateGeneration: (listener: HotUpdateListener) => context.hotUpdates.subscribe(listener),
    hotUpdateGenerations: () => context.hotUpdates.generations(),
    handle: handler.handle,
    sendError: handler.sendError,
  });
}
