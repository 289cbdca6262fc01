import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyCompiler, MiddlewareContext } from './context';
import { createMemfsMiddleware, type MemfsMiddleware } from './middleware';
import type { MemfsMiddlewareOptions } from './options';
import { createNodeRequestSeam, createNodeResponseSeam } from './seam';

/** The parts of a Koa context the adapter uses (so the core never imports Koa). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  state: Record<string, unknown>;
  respond?: boolean;
}

export interface KoaMemfsMiddleware {
  (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void>;
  readonly devMiddleware: MemfsMiddleware;
}

/**
 * Koa middleware. A served file is written to `ctx.res` through the core's Node seam and Koa
 * is told to stay out of it (`ctx.respond = false`); anything else goes to `next()`. With
 * `serverSideRender`, `ctx.state.webpack.devMiddleware` is set first.
 */
export function createKoaMiddleware(
  compiler: AnyCompiler,
  options?: MemfsMiddlewareOptions,
): KoaMemfsMiddleware {
  const devMiddleware = createMemfsMiddleware(compiler, options);
  const koaMiddleware = async (
    ctx: KoaContextLike,
    next: () => Promise<unknown>,
  ): Promise<void> => {
    const req = createNodeRequestSeam(ctx.req);
    const res = createNodeResponseSeam(ctx.res, {
      beforeSend: () => {
        ctx.respond = false;
      },
    });
    if (await devMiddleware.handle(req, res)) return;
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
