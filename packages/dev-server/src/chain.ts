import type { IncomingMessage, ServerResponse } from 'node:http';

export type NextFunction = (error?: unknown) => void;

/**
 * A connect/express style middleware. Its return value is ignored, except that
 * a returned promise's rejection goes to the error path.
 */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => unknown;

/** An entry of the ordered list `setupMiddlewares` receives, as in webpack-dev-server. */
export interface NamedMiddleware {
  name?: string;
  /** A mount path: the middleware sees only requests under it, with the prefix removed from `req.url`. */
  path?: string;
  middleware: Middleware;
}

export type FinalHandler = (req: IncomingMessage, res: ServerResponse, error?: unknown) => void;

/** Whether `url`'s path is `path` or below it (`/static` matches `/static` and `/static/a.js`). */
function matchesMount(url: string, path: string): boolean {
  if (path === '/' || path === '') return true;
  const mount = path.endsWith('/') ? path.slice(0, -1) : path;
  if (!url.startsWith(mount)) return false;
  const rest = url.charAt(mount.length);
  return rest === '' || rest === '/' || rest === '?' || rest === '#';
}

/**
 * Runs middlewares in order, connect-style: each calls `next()` to pass the
 * request on, `next(error)` to skip to the final handler. Mounted entries see
 * `req.url` without their path prefix, and get it back when they call next.
 * Never lets a thrown or rejected middleware take the process down.
 */
export function composeMiddlewares(
  middlewares: readonly (NamedMiddleware | Middleware)[],
  final: FinalHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const entries = middlewares.map((entry) =>
    typeof entry === 'function' ? { middleware: entry } : entry,
  );
  return (req, res) => {
    // As express: the URL as it came, for redirects and logs behind a mount path.
    const withOriginal = req as IncomingMessage & { originalUrl?: string };
    withOriginal.originalUrl ??= req.url;
    let index = 0;
    let finished = false;
    // What the running middleware's mount path did to req.url, to undo it.
    let mounted: { mount: string; given: string; original: string } | undefined;

    const next: NextFunction = (error) => {
      if (finished) return;
      // Give the URL its prefix back, keeping any rewrite the middleware made
      // (history fallbacks rewrite req.url for the middlewares after them).
      const current = req.url ?? '/';
      const url = !mounted
        ? current
        : current === mounted.given
          ? mounted.original
          : `${mounted.mount}${current}`;
      mounted = undefined;
      req.url = url;
      if (error !== undefined) {
        finished = true;
        final(req, res, error);
        return;
      }
      let entry = entries[index++];
      while (entry?.path && !matchesMount(url, entry.path)) entry = entries[index++];
      if (!entry) {
        finished = true;
        final(req, res);
        return;
      }
      if (entry.path && entry.path !== '/') {
        const mount = entry.path.endsWith('/') ? entry.path.slice(0, -1) : entry.path;
        const rest = url.slice(mount.length);
        req.url = rest.startsWith('/') ? rest : `/${rest}`;
        mounted = { mount, given: req.url, original: url };
      }
      let called = false;
      const once: NextFunction = (err) => {
        if (called) return;
        called = true;
        next(err);
      };
      try {
        const result = entry.middleware(req, res, once);
        if (result instanceof Promise) {
          result.then(undefined, (err: unknown) => once(err ?? new Error('middleware rejected')));
        }
      } catch (err) {
        once(err ?? new Error('middleware threw'));
      }
    };
    next();
  };
}
