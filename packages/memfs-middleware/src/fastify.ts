import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyCompiler } from './context';
import { createMemfsMiddleware, type MemfsMiddleware } from './middleware';
import type { ApiVersion, MemfsMiddlewareOptions } from './options';
import { createNodeRequestSeam, createNodeResponseSeam } from './seam';

/** The parts of Fastify the adapter uses (so the core never imports Fastify). */
export interface FastifyRequestLike {
  raw: IncomingMessage;
}
export interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): unknown;
}
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<void>,
  ): unknown;
}

export interface FastifyMemfsPlugin<V extends ApiVersion = ApiVersion> {
  (instance: FastifyInstanceLike, options: unknown): Promise<void>;
  readonly devMiddleware: MemfsMiddleware<V>;
}

/**
 * A Fastify plugin: an `onRequest` hook serves output files on the raw request/response
 * (hijacking the reply right before the first byte) and lets everything else reach the
 * routes. No @fastify/express or middie needed. Register it with `app.register(plugin)`; it
 * is not encapsulated, so it also sees requests no route matches. With `forwardError`, the
 * error (its `statusCode` set) goes to Fastify's error handler. `isPlugin`: see
 * {@link createMemfsMiddleware}.
 */
export function createFastifyPlugin<V extends ApiVersion = 7>(
  compiler: AnyCompiler,
  options?: MemfsMiddlewareOptions & { apiVersion?: V },
  isPlugin?: boolean,
): FastifyMemfsPlugin<V> {
  const devMiddleware = createMemfsMiddleware(compiler, options, isPlugin);
  const plugin = async (instance: FastifyInstanceLike): Promise<void> => {
    instance.addHook('onRequest', async (request, reply) => {
      const req = createNodeRequestSeam(request.raw);
      const res = createNodeResponseSeam(reply.raw, { beforeSend: () => reply.hijack() });
      const handled = await devMiddleware.handleSeam(req, res);
      if (!handled && options?.serverSideRender) {
        await devMiddleware.ready();
        const raw = reply.raw as ServerResponse & { locals?: Record<string, unknown> };
        raw.locals = { ...raw.locals, webpack: { devMiddleware: devMiddleware.context } };
      }
    });
  };
  // fastify-plugin's marker, spelled out: hooks apply to the parent (root) scope.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return Object.assign(plugin, { devMiddleware });
}
