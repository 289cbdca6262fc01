import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { HeaderValue } from './options';

/**
 * The request side of the one seam every adapter implements: the core never touches a
 * framework object, only this.
 */
export interface RequestSeam {
  readonly method: string;
  /** The request-target as received: path and query, still percent-encoded. */
  readonly url: string;
  /** A request header by lower-case name; repeated headers joined with `, `. */
  getHeader(name: string): string | undefined;
  /** Handed to the `headers` function and to `modifyResponseData`. */
  readonly raw: IncomingMessage | undefined;
}

/** The response side of the seam. Nothing is sent before {@link ResponseSeam.send}. */
export interface ResponseSeam {
  readonly headersSent: boolean;
  /** The status another middleware may have set (Koa starts at 404). */
  getStatus(): number;
  getHeader(name: string): HeaderValue | undefined;
  setHeader(name: string, value: HeaderValue): void;
  removeHeader(name: string): void;
  /** Lower-case names of the headers set so far. */
  getHeaderNames(): string[];
  /**
   * Commits the response: status, headers, then the body (`undefined` for HEAD and 304).
   * A stream is consumed and destroyed if the client goes away.
   */
  send(status: number, body: Buffer | Readable | undefined): void;
  readonly raw: ServerResponse | undefined;
}

export interface NodeSeamHooks {
  /** Runs once, right before the first byte is committed (Fastify hijacks the reply here). */
  beforeSend?: () => void;
}

export function createNodeRequestSeam(req: IncomingMessage): RequestSeam {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    getHeader: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    raw: req,
  };
}

export function createNodeResponseSeam(
  res: ServerResponse,
  hooks: NodeSeamHooks = {},
): ResponseSeam {
  return {
    get headersSent() {
      return res.headersSent;
    },
    getStatus: () => res.statusCode,
    getHeader: (name) => res.getHeader(name),
    setHeader: (name, value) => {
      res.setHeader(name, value);
    },
    removeHeader: (name) => {
      res.removeHeader(name);
    },
    getHeaderNames: () => res.getHeaderNames(),
    send: (status, body) => {
      hooks.beforeSend?.();
      res.statusCode = status;
      if (body === undefined) {
        res.end();
      } else if (Buffer.isBuffer(body)) {
        res.end(body);
      } else {
        pipeToResponse(body, res);
      }
    },
    raw: res,
  };
}

function pipeToResponse(stream: Readable, res: ServerResponse): void {
  // A read error before the first byte is answered by the core (500 page); after it, the
  // socket is cut so the client cannot take a short body for a whole file.
  res.once('close', () => {
    if (!stream.destroyed) stream.destroy();
  });
  stream.once('error', () => {
    if (res.headersSent) res.destroy();
  });
  stream.pipe(res);
}
