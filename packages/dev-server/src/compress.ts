import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import Negotiator from 'negotiator';
import type { Middleware } from './chain';

/** Bodies smaller than this are sent as they are: compressing them costs more than it saves. */
export const COMPRESS_THRESHOLD = 1024;

// What is worth compressing: text, scripts, JSON, XML, SVG, wasm, source maps.
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:javascript|json|xml|wasm|manifest\+json|x-javascript|ld\+json)|image\/svg\+xml|[^;]*\+(?:json|xml|text))/i;

/** Whether a Content-Type is worth compressing. */
export function isCompressible(contentType: string | undefined): boolean {
  return contentType !== undefined && COMPRESSIBLE.test(contentType);
}

type Encoding = 'br' | 'gzip';

type Listener = (...args: unknown[]) => void;

// negotiator 1 takes `{ preferred }`; its types predate that.
type EncodingNegotiator = {
  encoding(
    available: readonly string[],
    options: { preferred: readonly string[] },
  ): string | undefined;
};

/**
 * Brotli or gzip, as the client rates them; brotli when it rates both alike (browsers send
 * `gzip, deflate, br, zstd`), as compression 1.8 in webpack-dev-server 5 decides.
 */
export function chooseEncoding(req: IncomingMessage): Encoding | undefined {
  if (!req.headers['accept-encoding']) return undefined;
  const negotiator = new Negotiator(req) as unknown as EncodingNegotiator;
  const chosen = negotiator.encoding(['br', 'gzip'], { preferred: ['br', 'gzip'] });
  return chosen === 'gzip' || chosen === 'br' ? chosen : undefined;
}

function appendVary(res: ServerResponse, field: string): void {
  const vary = res.getHeader('Vary');
  const current = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  if (current === '*') return;
  const fields = current
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  if (!fields.includes(field.toLowerCase())) {
    res.setHeader('Vary', current ? `${current}, ${field}` : field);
  }
}

/**
 * `compress: true`: gzip or brotli (as the browser prefers) for compressible
 * responses of 1 KiB or more. Wraps `res.write`/`res.end` so every later
 * middleware's output goes through it; the decision is taken at the first
 * write, when status and headers are known. Ranges, HEAD, 204/304 and
 * `Cache-Control: no-transform` pass untouched. Backpressure goes through:
 * `res.write` answers what the compressor's `write` answers, and `'drain'`
 * listeners (a piped file's) hear the compressor drain, so a reader that stops
 * reading holds only the stream buffers, not the whole body.
 */
export function createCompressMiddleware(): Middleware {
  return (req, res, next) => {
    const encoding = chooseEncoding(req);
    appendVary(res, 'Accept-Encoding');
    if (!encoding || req.method === 'HEAD') {
      next();
      return;
    }
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const on = res.on.bind(res) as (event: string, listener: Listener) => ServerResponse;
    const off = res.removeListener.bind(res) as (
      event: string,
      listener: Listener,
    ) => ServerResponse;
    let stream: ReturnType<typeof createGzip> | undefined;
    let decided = false;
    // 'drain' listeners added before the first write wait here for the decision.
    let pendingDrain: Listener[] = [];

    const decide = (firstChunkLength: number, ending: boolean): void => {
      decided = true;
      const length = Number(res.getHeader('Content-Length') ?? Number.NaN);
      const size = Number.isNaN(length) ? (ending ? firstChunkLength : Number.NaN) : length;
      const cacheControl = String(res.getHeader('Cache-Control') ?? '');
      if (
        res.headersSent ||
        res.statusCode < 200 ||
        res.statusCode === 204 ||
        res.statusCode === 206 ||
        res.statusCode === 304 ||
        res.getHeader('Content-Encoding') !== undefined ||
        /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(cacheControl) ||
        !isCompressible(String(res.getHeader('Content-Type') ?? '')) ||
        size < COMPRESS_THRESHOLD
      ) {
        return;
      }
      res.setHeader('Content-Encoding', encoding);
      res.removeHeader('Content-Length');
      // A strong validator names the identity bytes; the compressed ones differ.
      const etag = res.getHeader('ETag');
      if (typeof etag === 'string' && !etag.startsWith('W/')) res.setHeader('ETag', `W/${etag}`);
      stream =
        encoding === 'br'
          ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
          : createGzip({ level: 6 });
      const compressor = stream;
      compressor.on('data', (chunk: Buffer) => {
        if (!write(chunk)) compressor.pause();
      });
      on('drain', () => compressor.resume());
      compressor.on('end', () => end());
      compressor.on('error', (error) => res.destroy(error));
      // A reader that went away: free the compressor and what it holds.
      on('close', () => compressor.destroy());
    };

    const settleDrainListeners = (): void => {
      for (const listener of pendingDrain) {
        if (stream) stream.on('drain', listener);
        else on('drain', listener);
      }
      pendingDrain = [];
    };

    /** At the first write or end: compress or not, then hand over the waiting 'drain' listeners. */
    const decideOnce = (firstChunk: Buffer | undefined, ending: boolean): void => {
      if (decided) return;
      decide(firstChunk?.length ?? 0, ending);
      settleDrainListeners();
    };

    const addListener = ((event: string, listener: Listener) => {
      if (event !== 'drain') return on(event, listener);
      if (stream) stream.on('drain', listener);
      else if (!decided) pendingDrain.push(listener);
      else on('drain', listener);
      return res;
    }) as ServerResponse['on'];
    res.on = addListener;
    res.addListener = addListener;
    const removeListener = ((event: string, listener: Listener) => {
      if (event === 'drain') {
        pendingDrain = pendingDrain.filter((pending) => pending !== listener);
        stream?.removeListener('drain', listener);
      }
      return off(event, listener);
    }) as ServerResponse['removeListener'];
    res.removeListener = removeListener;
    res.off = removeListener;

    const toBuffer = (chunk: unknown, encodingArg: unknown): Buffer | undefined => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
      if (Buffer.isBuffer(chunk)) return chunk;
      if (chunk instanceof Uint8Array) return Buffer.from(chunk);
      return Buffer.from(
        String(chunk),
        typeof encodingArg === 'string' ? (encodingArg as BufferEncoding) : 'utf8',
      );
    };

    // Static file servers call writeHead(status, headers) before the body; keep
    // those headers pending so the encoding can still be decided at the first write.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((arg) => typeof arg === 'object' && arg !== null);
      if (decided || (headers !== undefined && Array.isArray(headers))) {
        return writeHead(status, ...rest);
      }
      res.statusCode = status;
      if (typeof rest[0] === 'string') res.statusMessage = rest[0];
      for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
        if (value !== undefined) res.setHeader(name, value as string | number | string[]);
      }
      return res;
    }) as ServerResponse['writeHead'];

    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      const buffer = toBuffer(chunk, rest[0]);
      decideOnce(buffer, false);
      if (!stream) return write(chunk, ...rest);
      if (stream.writableEnded || stream.destroyed) return false;
      return buffer ? stream.write(buffer) : !stream.writableNeedDrain;
    }) as ServerResponse['write'];

    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const buffer = toBuffer(chunk, rest[0]);
      decideOnce(buffer, true);
      if (!stream) return end(chunk, ...rest);
      if (stream.writableEnded || stream.destroyed) return res;
      if (buffer) stream.end(buffer);
      else stream.end();
      return res;
    }) as ServerResponse['end'];

    next();
  };
}
