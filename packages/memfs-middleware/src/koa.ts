import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AnyCompiler, MiddlewareContext } from './context';
import { ForwardedError } from './errors';
import { createMemfsMiddleware, type MemfsMiddleware } from './middleware';
import type { ApiVersion, MemfsMiddlewareOptions } from './options';
import { createNodeRequestSeam, createNodeResponseSeam, type ResponseSeam } from './seam';

/** The parts of a Koa context the adapter uses (so the core never imports Koa). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  state: Record<string, unknown>;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

export interface KoaMemfsMiddleware<V extends ApiVersion = ApiVersion> {
  (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void>;
  readonly devMiddleware: MemfsMiddleware<V>;
}

const EMPTY = Buffer.alloc(0);

/**
 * The response goes through Koa (`ctx.status`, `ctx.body`), not onto `ctx.res`: Koa sends
 * it after the whole middleware stack has unwound, so what an upstream middleware sets
 * after `await next()` (a header, its own Content-Type) still reaches the client.
 */
function createKoaResponseSeam(ctx: KoaContextLike): ResponseSeam {
  // Koa keeps headers on the Node response until it sends them; read and write them there.
  const node = createNodeResponseSeam(ctx.res);
  return {
    get headersSent() {
      return ctx.res.headersSent;
    },
    getStatus: node.getStatus,
    getHeader: node.getHeader,
    setHeader: node.setHeader,
    removeHeader: node.removeHeader,
    getHeaderNames: node.getHeaderNames,
    send: (status: number, body: Buffer | Readable | undefined) => {
      const length = ctx.res.getHeader('Content-Length');
      ctx.status = status;
      // HEAD: an empty body, which Koa never writes; a null body would turn 200 into 204.
      ctx.body = body ?? (status === 304 ? null : EMPTY);
      // Koa's body setter recomputes Content-Length; the core's is the number of bytes sent.
      if (length !== undefined && status !== 304) ctx.set('Content-Length', String(length));
    },
    raw: ctx.res,
  };
}

/**
 * Koa middleware. A served file becomes `ctx.status`/`ctx.body` (Koa sends it); anything else
 * goes to `next()`. With `serverSideRender`, `ctx.state.webpack.devMiddleware` is set first.
 * With `forwardError`, an error calls `next()` (as webpack-dev-middleware 8's Koa wrapper
 * does). `isPlugin`: see {@link createMemfsMiddleware}.
 */
export function createKoaMiddleware<V extends ApiVersion = 7>(
  compiler: AnyCompiler,
  options?: MemfsMiddlewareOptions & { apiVersion?: V },
  isPlugin?: boolean,
): KoaMemfsMiddleware<V> {
  const devMiddleware = createMemfsMiddleware(compiler, options, isPlugin);
  const koaMiddleware = async (
    ctx: KoaContextLike,
    next: () => Promise<unknown>,
  ): Promise<void> => {
    const req = createNodeRequestSeam(ctx.req);
    const res = createKoaResponseSeam(ctx);
    try {
      if (await devMiddleware.handleSeam(req, res)) return;
    } catch (error) {
      if (!(error instanceof ForwardedError)) throw error;
      await next();
      return;
    }
    if (options?.serverSideRender) {
      await devMiddleware.ready();
      ctx.state.webpack = { devMiddleware: devMiddleware.context } satisfies {
        devMiddleware: MiddlewareContext;
      };
    }
    await next();
  };
  return Object.assign(koaMiddleware, { devMiddleware });
}
