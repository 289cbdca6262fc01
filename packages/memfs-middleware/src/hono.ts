import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { AnyCompiler } from './context';
import { ForwardedError } from './errors';
import { createMemfsMiddleware, type MemfsMiddleware } from './middleware';
import type { ApiVersion, HeaderValue, MemfsMiddlewareOptions } from './options';
import type { RequestSeam, ResponseSeam } from './seam';

/** The parts of a Hono context the adapter uses (so the core never imports Hono). */
export interface HonoContextLike {
  req: { raw: Request };
  /** @hono/node-server puts Node's request/response here. */
  env?: unknown;
  set(key: 'webpack', value: unknown): void;
}

export interface HonoMemfsMiddleware<V extends ApiVersion = ApiVersion> {
  (c: HonoContextLike, next: () => Promise<void>): Promise<Response | undefined>;
  readonly devMiddleware: MemfsMiddleware<V>;
}

function nodeBindings(env: unknown): { incoming?: IncomingMessage; outgoing?: ServerResponse } {
  return typeof env === 'object' && env !== null
    ? (env as { incoming?: IncomingMessage; outgoing?: ServerResponse })
    : {};
}

function requestTarget(request: Request, incoming: IncomingMessage | undefined): string {
  if (incoming?.url) return incoming.url;
  const url = new URL(request.url);
  return url.pathname + url.search;
}

/** The seam over the Fetch API: headers collect in a map and `send` produces a Response. */
function createWebResponseSeam(
  raw: ServerResponse | undefined,
  onSend: (response: Response) => void,
): ResponseSeam {
  const headers = new Map<string, HeaderValue>();
  let sent = false;
  return {
    get headersSent() {
      return sent;
    },
    getStatus: () => 200,
    getHeader: (name) => headers.get(name.toLowerCase()),
    setHeader: (name, value) => {
      headers.set(name.toLowerCase(), value);
    },
    removeHeader: (name) => {
      headers.delete(name.toLowerCase());
    },
    getHeaderNames: () => [...headers.keys()],
    send: (status, body) => {
      sent = true;
      // A byte body's length is known to every Fetch runtime, and @hono/node-server before
      // 1.19.10 adds its own Content-Length to ours (two headers, which clients reject).
      if (Buffer.isBuffer(body)) headers.delete('content-length');
      const responseHeaders = new Headers();
      for (const [name, value] of headers) {
        if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
        else responseHeaders.set(name, String(value));
      }
      let payload: ConstructorParameters<typeof Response>[0] = null;
      if (Buffer.isBuffer(body))
        payload = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      else if (body) payload = Readable.toWeb(body as Readable) as ReadableStream<Uint8Array>;
      onSend(new Response(payload, { status, headers: responseHeaders }));
    },
    raw,
  };
}

/**
 * Hono middleware: returns a Response for output files and calls `next()` for the rest.
 * With `serverSideRender`, `c.get('webpack').devMiddleware` is set first. With
 * `forwardError`, an error calls `next()` (as webpack-dev-middleware 8's Hono wrapper does).
 * `isPlugin`: see {@link createMemfsMiddleware}.
 */
export function createHonoMiddleware<V extends ApiVersion = 7>(
  compiler: AnyCompiler,
  options?: MemfsMiddlewareOptions & { apiVersion?: V },
  isPlugin?: boolean,
): HonoMemfsMiddleware<V> {
  const devMiddleware = createMemfsMiddleware(compiler, options, isPlugin);
  const honoMiddleware = async (
    c: HonoContextLike,
    next: () => Promise<void>,
  ): Promise<Response | undefined> => {
    const { incoming, outgoing } = nodeBindings(c.env);
    const request = c.req.raw;
    const req: RequestSeam = {
      method: request.method,
      url: requestTarget(request, incoming),
      getHeader: (name) => request.headers.get(name) ?? undefined,
      raw: incoming,
    };
    let response: Response | undefined;
    const res = createWebResponseSeam(outgoing, (sent) => {
      response = sent;
    });
    try {
      if (await devMiddleware.handleSeam(req, res)) return response;
    } catch (error) {
      if (!(error instanceof ForwardedError)) throw error;
      await next();
      return undefined;
    }
    if (options?.serverSideRender) {
      await devMiddleware.ready();
      c.set('webpack', { devMiddleware: devMiddleware.context });
    }
    await next();
    return undefined;
  };
  return Object.assign(honoMiddleware, { devMiddleware });
}
