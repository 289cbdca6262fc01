import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyCompiler } from './context';
import { ForwardedError, optionError } from './errors';
import { createMemfsMiddleware, type MemfsMiddleware } from './middleware';
import type { MemfsMiddlewareOptions } from './options';
import { createNodeRequestSeam, createNodeResponseSeam } from './seam';

/** The parts of a hapi request the plugin uses (so the core never imports hapi). */
export interface HapiRequestLike {
  raw: { req: IncomingMessage; res: ServerResponse };
}

/** The parts of hapi's response toolkit `h` the plugin uses. */
export interface HapiToolkitLike {
  readonly continue: symbol;
  readonly abandon: symbol;
}

/** The parts of a hapi server the plugin uses. */
export interface HapiServerLike {
  ext(
    event: 'onRequest',
    method: (request: HapiRequestLike, h: HapiToolkitLike) => Promise<symbol>,
  ): void;
  decorate(type: 'server', property: 'webpackDevMiddleware', method: MemfsMiddleware): void;
  readonly decorations: { readonly server: readonly string[] };
}

/** The plugin's options: the middleware options plus the compiler (as webpack-dev-middleware). */
export interface HapiPluginOptions extends MemfsMiddlewareOptions {
  compiler: AnyCompiler;
}

export interface HapiMemfsPlugin {
  readonly name: string;
  /** Registered once per compiler: several instances may live on one server. */
  readonly multiple: true;
  register(server: HapiServerLike, options: HapiPluginOptions): void;
}

/**
 * A hapi plugin: `await server.register({ plugin: createHapiPlugin(), options: { compiler,
 * ...middlewareOptions } })`. An `onRequest` extension serves output files on the raw
 * request/response and lets everything else continue to the routes; the first instance is
 * `server.webpackDevMiddleware`. SSR locals go on `request.raw.res.locals.webpack`, as in
 * webpack-dev-middleware's hapi wrapper; with `forwardError` an error continues to the routes.
 * `isPlugin`: see {@link createMemfsMiddleware}.
 */
export function createHapiPlugin(isPlugin?: boolean): HapiMemfsPlugin {
  return {
    name: '@hmrkit/memfs-middleware',
    multiple: true,
    register(server, options) {
      const { compiler, ...rest } = options ?? ({} as HapiPluginOptions);
      if (!compiler) {
        throw optionError(
          'INVALID_OPTION',
          'compiler',
          'the hapi plugin needs options.compiler (a webpack or Rspack compiler)',
        );
      }
      const devMiddleware = createMemfsMiddleware(compiler, rest, isPlugin);
      if (!server.decorations.server.includes('webpackDevMiddleware')) {
        server.decorate('server', 'webpackDevMiddleware', devMiddleware);
      }
      server.ext('onRequest', async (request, h) => {
        const { req, res } = request.raw;
        try {
          if (
            await devMiddleware.handleSeam(createNodeRequestSeam(req), createNodeResponseSeam(res))
          ) {
            return h.abandon;
          }
        } catch (error) {
          if (!(error instanceof ForwardedError)) throw error;
          return h.continue;
        }
        if (rest.serverSideRender) {
          await devMiddleware.ready();
          const raw = res as ServerResponse & { locals?: Record<string, unknown> };
          raw.locals = { ...raw.locals, webpack: { devMiddleware: devMiddleware.context } };
        }
        return h.continue;
      });
    },
  };
}
