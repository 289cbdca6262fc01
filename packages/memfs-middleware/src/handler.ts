import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { contentType } from 'mime-types';
import parseRange from 'range-parser';
import type { MultiStats, Stats } from 'webpack';
import type { MiddlewareContext } from './context';
import { ForwardedError, MemfsMiddlewareError } from './errors';
import {
  createErrorPage,
  createStrongEtag,
  createWeakEtag,
  ERROR_TEXT,
  formatCacheControl,
  IMMUTABLE_CACHE_CONTROL,
  isFresh,
  isPreconditionFailure,
  isRangeCurrent,
  type ValidatorHeaders,
} from './http';
import type { HeaderList, HeadersFunction, HeaderValue } from './options';
import { getServedTargets, type ResolvedFile, resolveFile } from './resolve';
import type { RequestSeam, ResponseSeam } from './seam';

/**
 * Files up to this size are read whole and sent as one Buffer (fast for an in-memory fs);
 * bigger ones are streamed when the fs can stream.
 */
const BUFFER_LIMIT = 8 * 1024 * 1024;

/** The headers a 304 must not carry (RFC 9110 §15.4.5). */
const NOT_MODIFIED_DROPPED = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-range',
  'content-type',
];

export interface RequestHandler {
  /**
   * Serves `req` if it names a file in the current output, waiting for a valid bundle first.
   * Resolves `true` when a response was sent, `false` to fall through to the next handler.
   */
  handle(req: RequestSeam, res: ResponseSeam): Promise<boolean>;
  /**
   * Sends the HTML error page for `status` (400, 403, 404, 412, 416, 500); with
   * `forwardError`, removes the headers set so far and throws a {@link ForwardedError}.
   */
  sendError(req: RequestSeam, res: ResponseSeam, status: number): void;
  /** Sends the HTML error page for `status`, whatever `forwardError` says. */
  sendPage(req: RequestSeam, res: ResponseSeam, status: number): void;
  /** Resolves with the stats once the bundle is valid. */
  ready(): Promise<Stats | MultiStats>;
}

function header(value: HeaderValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function isHeaderList(value: unknown): value is HeaderList {
  return Array.isArray(value);
}

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return typeof data === 'string'
    ? Buffer.from(data)
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function createRequestHandler(
  context: MiddlewareContext,
  waitUntilValid: (callback: (stats: Stats | MultiStats) => void) => void,
): RequestHandler {
  const { options, logger } = context;
  const methods = new Set((options.methods ?? ['GET', 'HEAD']).map((m) => m.toUpperCase()));
  const index =
    options.index === false
      ? false
      : options.index === true || options.index === undefined
        ? 'index.html'
        : options.index;
  const cacheControl = formatCacheControl(options.cacheControl);
  // mime-db's shape (`['text/html']`) is accepted too; its first type is the preferred one.
  const customTypes = new Map(
    Object.entries(options.mimeTypes ?? {}).map(([ext, type]) => [
      ext.replace(/^\./, '').toLowerCase(),
      typeof type === 'string' ? type : (type[0] as string),
    ]),
  );
  const cacheImmutable = options.cacheImmutable ?? options.apiVersion === 8;
  const malformedPublicPaths = new Set<string>();
  const onMalformed = (publicPath: string): void => {
    if (malformedPublicPaths.has(publicPath)) return;
    malformedPublicPaths.add(publicPath);
    logger.error(`publicPath "${publicPath}" is not a valid URL; nothing is served under it.`);
  };
  // Strong ETags hash the whole file; remember them per (file, size, mtime).
  const strongEtags = new Map<string, string>();

  const ready = (): Promise<Stats | MultiStats> =>
    new Promise((resolve) => {
      waitUntilValid(resolve);
    });

  const applyHeaders = (
    res: ResponseSeam,
    headers: ReturnType<HeadersFunction> | Readonly<Record<string, HeaderValue>>,
  ): void => {
    if (!headers) return;
    if (isHeaderList(headers)) {
      for (const { key, value } of headers) res.setHeader(key, value);
    } else {
      for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
    }
  };

  const lookupType = (filename: string): string | undefined => {
    const ext = extname(filename).slice(1).toLowerCase();
    const custom = customTypes.get(ext);
    if (custom !== undefined) return contentType(custom) || custom;
    return contentType(ext ? `.${ext}` : filename) || options.mimeTypeDefault;
  };

  const finish = (
    req: RequestSeam,
    res: ResponseSeam,
    status: number,
    data: Buffer | Readable,
    byteLength: number,
  ): void => {
    let body = data;
    let length = byteLength;
    if (options.modifyResponseData) {
      const modified = options.modifyResponseData(req.raw, res.raw, body, length);
      body = modified.data;
      length = modified.byteLength;
    }
    res.setHeader('Content-Length', length);
    if (req.method.toUpperCase() === 'HEAD') {
      if (!Buffer.isBuffer(body)) body.destroy();
      res.send(status, undefined);
      return;
    }
    res.send(status, body);
  };

  const sendPage = (req: RequestSeam, res: ResponseSeam, status: number): void => {
    for (const name of res.getHeaderNames()) {
      if (status === 416 && name === 'content-range') continue;
      res.removeHeader(name);
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const page = Buffer.from(createErrorPage(status));
    finish(req, res, status, page, page.byteLength);
  };

  const sendError = (req: RequestSeam, res: ResponseSeam, status: number): void => {
    if (!options.forwardError) {
      sendPage(req, res, status);
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    throw new ForwardedError(status, ERROR_TEXT[status] ?? String(status));
  };

  const resolve = (
    url: string,
    stats: Stats | MultiStats | undefined,
  ): ResolvedFile | undefined => {
    if (!stats) return undefined;
    return resolveFile(
      url,
      getServedTargets(stats, options, onMalformed),
      context.outputFileSystem,
      index,
    );
  };

  const serve = (req: RequestSeam, res: ResponseSeam, file: ResolvedFile): void => {
    const fs = context.outputFileSystem;
    const method = req.method.toUpperCase();
    const { filename } = file;

    if (typeof options.headers === 'function') {
      applyHeaders(res, options.headers(req.raw, res.raw, context));
    } else {
      applyHeaders(res, options.headers);
    }
    if (res.getHeader('Accept-Ranges') === undefined) res.setHeader('Accept-Ranges', 'bytes');
    const cache = cacheImmutable && file.immutable ? IMMUTABLE_CACHE_CONTROL : cacheControl;
    if (cache !== undefined && res.getHeader('Cache-Control') === undefined)
      res.setHeader('Cache-Control', cache);
    if (options.lastModified && res.getHeader('Last-Modified') === undefined) {
      res.setHeader('Last-Modified', file.mtime.toUTCString());
    }

    // The bytes are read only when needed: up front for a strong ETag, otherwise after the
    // 304/412 checks (a 304 never touches the file). Big files on a streaming fs are piped.
    const streamable = typeof fs.createReadStream === 'function' && file.size > BUFFER_LIMIT;
    let buffer: Buffer | undefined;
    if (options.etag === 'strong') buffer = toBuffer(fs.readFileSync(filename));
    let size = buffer ? buffer.byteLength : file.size;

    if (options.etag && res.getHeader('ETag') === undefined) {
      let etag: string;
      if (options.etag === 'weak') {
        etag = createWeakEtag(size, file.mtime);
      } else {
        const key = `${filename}\0${size}\0${file.mtime.getTime()}`;
        etag = strongEtags.get(key) ?? createStrongEtag(buffer!);
        if (strongEtags.size > 1000) strongEtags.clear();
        strongEtags.set(key, etag);
      }
      res.setHeader('ETag', etag);
    }
    if (res.getHeader('Content-Type') === undefined || res.getStatus() === 404) {
      const type = lookupType(filename);
      if (type !== undefined) res.setHeader('Content-Type', type);
    }

    const etag = header(res.getHeader('ETag'));
    const lastModified = header(res.getHeader('Last-Modified'));
    const validators: ValidatorHeaders = {
      ifMatch: req.getHeader('if-match'),
      ifUnmodifiedSince: req.getHeader('if-unmodified-since'),
      ifNoneMatch: req.getHeader('if-none-match'),
      ifModifiedSince: req.getHeader('if-modified-since'),
      cacheControl: req.getHeader('cache-control'),
    };
    if (
      validators.ifMatch !== undefined ||
      validators.ifUnmodifiedSince !== undefined ||
      validators.ifNoneMatch !== undefined ||
      validators.ifModifiedSince !== undefined
    ) {
      if (isPreconditionFailure(validators, etag, lastModified)) {
        sendError(req, res, 412);
        return;
      }
      const status = res.getStatus();
      const cacheable = (status >= 200 && status < 300) || status === 304 || status === 404;
      if (cacheable && isFresh(validators, etag, lastModified)) {
        for (const name of NOT_MODIFIED_DROPPED) res.removeHeader(name);
        res.send(304, undefined);
        return;
      }
    }

    const wantsBody = method !== 'HEAD' || options.modifyResponseData !== undefined;
    if (!buffer && !streamable && wantsBody) {
      buffer = toBuffer(fs.readFileSync(filename));
      // The file may have been rewritten since the stat; the bytes we send decide the length.
      size = buffer.byteLength;
    }

    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.getHeader('range');
    if (
      range !== undefined &&
      /^ *bytes/i.test(range) &&
      isRangeCurrent(req.getHeader('if-range'), etag, lastModified)
    ) {
      const ranges = parseRange(size, range, { combine: true });
      if (ranges === -1) {
        logger.error("Unsatisfiable range for 'Range' header.");
        res.setHeader('Content-Range', `bytes */${size}`);
        sendError(req, res, 416);
        return;
      }
      if (ranges === -2) {
        logger.error(
          "A malformed 'Range' header was provided. A regular response will be sent for this request.",
        );
      } else if (ranges.length > 1) {
        logger.error(
          "A 'Range' header with multiple ranges was provided. Multiple ranges are not supported, so a regular response will be sent for this request.",
        );
      } else if (ranges[0]) {
        ({ start, end } = ranges[0]);
        status = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
    }

    // Content-Length is the number of bytes sent: 1 for a 1-byte file and for `bytes=0-0`.
    const byteLength = size === 0 ? 0 : end - start + 1;
    let data: Buffer | Readable;
    if (buffer) {
      data = start === 0 && end === size - 1 ? buffer : buffer.subarray(start, end + 1);
    } else if (!wantsBody) {
      data = Buffer.alloc(0);
    } else {
      const stream = fs.createReadStream!(filename, { start, end });
      stream.once('error', (error) => {
        logger.error('Stream error:', error);
        // Asynchronous, after handle() resolved: there is no next() left to forward to.
        if (!res.headersSent) sendPage(req, res, isNotFound(error) ? 404 : 500);
      });
      data = stream;
    }
    finish(req, res, status, data, byteLength);
  };

  const handle = async (req: RequestSeam, res: ResponseSeam): Promise<boolean> => {
    if (!methods.has(req.method.toUpperCase())) return false;
    // The stats of the build this request waited for: by the time it resumes, the next
    // edit may already have invalidated the bundle and cleared context.stats, but that
    // build's files are still in the output fs until the next one is emitted.
    let stats = context.state ? context.stats : undefined;
    if (!stats) {
      logger.log(`wait until bundle finished: ${req.url}`);
      stats = await ready();
    }
    let file: ResolvedFile | undefined;
    try {
      file = resolve(req.url, stats);
    } catch (error) {
      if (error instanceof MemfsMiddlewareError) {
        const forbidden = error.code === 'FORBIDDEN_PATH';
        if (forbidden) logger.error(`Malicious path "${req.url}".`);
        sendError(req, res, forbidden ? 403 : 400);
        return true;
      }
      logger.error(error);
      sendError(req, res, 500);
      return true;
    }
    if (!file || res.headersSent) return false;
    try {
      serve(req, res, file);
    } catch (error) {
      if (res.headersSent || error instanceof ForwardedError) throw error;
      if (!isNotFound(error)) logger.error(error);
      sendError(req, res, isNotFound(error) ? 404 : 500);
    }
    return true;
  };

  return { handle, sendError, sendPage, ready };
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}
