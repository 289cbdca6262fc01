import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware, NextFunction } from './chain';

/**
 * The few express response helpers that webpack-dev-server's documented
 * `setupMiddlewares` examples use (`res.send`, `res.json`, `res.status`, …),
 * so those middlewares run unchanged without express.
 */
export interface ResponseHelpers {
  status(code: number): ServerResponse & ResponseHelpers;
  set(name: string, value: string | number | readonly string[]): ServerResponse & ResponseHelpers;
  send(body?: unknown): void;
  json(body: unknown): void;
  sendStatus(code: number): void;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Adds the helpers to a response (own properties: nothing global is patched). */
export function decorateResponse(res: ServerResponse): ServerResponse & ResponseHelpers {
  const out = res as ServerResponse & ResponseHelpers;
  if (typeof out.send === 'function') return out;
  out.status = (code) => {
    res.statusCode = code;
    return out;
  };
  out.set = (name, value) => {
    res.setHeader(name, value);
    return out;
  };
  out.send = (body) => {
    if (body === undefined || body === null) {
      res.end();
      return;
    }
    if (typeof body === 'object' && !Buffer.isBuffer(body) && !(body instanceof Uint8Array)) {
      out.json(body);
      return;
    }
    const buffer = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body as Uint8Array);
    if (!res.hasHeader('Content-Type')) {
      res.setHeader(
        'Content-Type',
        typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream',
      );
    }
    res.setHeader('Content-Length', buffer.length);
    res.end(buffer);
  };
  out.json = (body) => {
    if (!res.hasHeader('Content-Type'))
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
    const text = JSON.stringify(body) ?? '';
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  };
  out.sendStatus = (code) => {
    res.statusCode = code;
    out.send(STATUS_TEXT[code] ?? String(code));
  };
  return out;
}

type RouteHandler = (
  req: IncomingMessage & { params: Record<string, string> },
  res: ServerResponse & ResponseHelpers,
  next: NextFunction,
) => unknown;

/** A route path (`/api/users/:id`) as a matcher filling `req.params`. */
function compileRoute(
  path: string,
  prefix: boolean,
): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const pattern = new RegExp(`^${source}${prefix ? '(?:/|$)' : '/?$'}`);
  return (pathname) => {
    const match = pattern.exec(pathname);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return params;
  };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | 'all';

/**
 * `devServer.app`: an express-like router for the `devServer.app.get(...)`
 * calls of webpack-dev-server configs. Routes registered in
 * `setupMiddlewares` run before the dev server's own middlewares, as they do
 * with webpack-dev-server. `get` also answers HEAD.
 */
export interface DevServerApp {
  use(pathOrHandler: string | RouteHandler, handler?: RouteHandler): DevServerApp;
  get(path: string, handler: RouteHandler): DevServerApp;
  post(path: string, handler: RouteHandler): DevServerApp;
  put(path: string, handler: RouteHandler): DevServerApp;
  patch(path: string, handler: RouteHandler): DevServerApp;
  delete(path: string, handler: RouteHandler): DevServerApp;
  head(path: string, handler: RouteHandler): DevServerApp;
  options(path: string, handler: RouteHandler): DevServerApp;
  all(path: string, handler: RouteHandler): DevServerApp;
  /** The router as one middleware (what the dev server puts first in its chain). */
  readonly handle: Middleware;
}

export function createApp(): DevServerApp {
  const routes: Array<{
    method: Method | 'use';
    match: (pathname: string) => Record<string, string> | undefined;
    handler: RouteHandler;
  }> = [];

  const handle: Middleware = (req, res, next) => {
    const method = (req.method ?? 'GET').toLowerCase();
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    let index = 0;
    const step: NextFunction = (error) => {
      if (error !== undefined) return next(error);
      while (index < routes.length) {
        const route = routes[index++];
        if (!route) continue;
        const methodOk =
          route.method === 'use' ||
          route.method === 'all' ||
          route.method === method ||
          (route.method === 'get' && method === 'head');
        if (!methodOk) continue;
        const params = route.match(pathname);
        if (!params) continue;
        const request = req as IncomingMessage & { params: Record<string, string> };
        request.params = params;
        try {
          const result = route.handler(request, decorateResponse(res), step);
          if (result instanceof Promise) result.catch((err: unknown) => next(err));
        } catch (err) {
          next(err);
        }
        return;
      }
      next();
    };
    step();
  };

  const app: DevServerApp = {
    use(pathOrHandler, handler) {
      if (typeof pathOrHandler === 'function') {
        routes.push({ method: 'use', match: () => ({}), handler: pathOrHandler });
      } else if (handler) {
        routes.push({ method: 'use', match: compileRoute(pathOrHandler, true), handler });
      }
      return app;
    },
    get: (path, handler) => add('get', path, handler),
    post: (path, handler) => add('post', path, handler),
    put: (path, handler) => add('put', path, handler),
    patch: (path, handler) => add('patch', path, handler),
    delete: (path, handler) => add('delete', path, handler),
    head: (path, handler) => add('head', path, handler),
    options: (path, handler) => add('options', path, handler),
    all: (path, handler) => add('all', path, handler),
    handle,
  };
  function add(method: Method, path: string, handler: RouteHandler): DevServerApp {
    routes.push({ method, match: compileRoute(path, false), handler });
    return app;
  }
  return app;
}
