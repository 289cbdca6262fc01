import type { ReadStream, Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import parseRange from 'range-parser';
import send from 'send';
import type { Middleware, NextFunction } from '../chain';
import { type NormalizedStatic, parseMaxAge } from '../options';
import { decodePath, isReadRequest, originalUrl, redirectToFolder, sendErrorPage } from './request';

/**
 * Whether a request path (mount removed) names a dotfile or goes through a dot-folder,
 * however it is spelled (`/%2eenv`, `/sub/../.env`): decoded and normalized first, as the
 * file server will. `/.well-known/` at the folder's root is not hidden (RFC 8615).
 */
export function isDotPath(url: string): boolean {
  const segments = posix
    .normalize(decodePath(url))
    .split('/')
    .filter((segment) => segment !== '');
  return segments.some(
    (segment, index) => segment.startsWith('.') && !(index === 0 && segment === '.well-known'),
  );
}

/** The path the user asked for, to log it (never the absolute file name). */
function requestPath(req: IncomingMessage): string {
  return originalUrl(req).split('?')[0] ?? '/';
}

const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);
const FORBIDDEN_CODES = new Set(['EACCES', 'EPERM']);

type StaticLogger = { warn(...args: unknown[]): void; error(...args: unknown[]): void };

/**
 * One `static` folder, as express.static serves it for webpack-dev-server (`send`):
 * GET/HEAD, index.html for folders (a folder without the trailing slash redirects, keeping
 * its mount path), ETags and Last-Modified, Range, Content-Type with charset, no caching by
 * default. Unlike express.static, no dotfile or dot-folder is served unless
 * `staticOptions.dotfiles` is `'allow'` ('deny' answers 403); only regular files are read
 * (a socket or FIFO would fail or block); a malformed byte Range gets 416 as
 * webpack-dev-server answers; and a file that cannot be read (permissions, removed between
 * the check and the open) is a status and a log line, never a crash. Symlinks are
 * followed, also when they point outside the folder: a link is something the user put there.
 * `staticOptions` supports express.static's dotfiles, etag, extensions, immutable, maxAge
 * (plus index, redirect and fallthrough at their defaults).
 */
export function createStaticMiddleware(
  item: NormalizedStatic,
  index: number,
  logger: StaticLogger,
): Middleware {
  // Validated by normalizeOptions (static[].staticOptions), before anything was built.
  const options = item.staticOptions;
  const path = `static[${index}].staticOptions`;
  const dotfiles = (options.dotfiles ?? 'ignore') as 'ignore' | 'allow' | 'deny';
  const extensions = options.extensions;
  const sendOptions: send.SendOptions = {
    root: item.directory,
    // The dotfile policy above is the only one: it also covers encoded and `..` spellings.
    dotfiles: 'allow',
    etag: options.etag !== false,
    extensions: Array.isArray(extensions) ? (extensions as string[]) : false,
    index: 'index.html',
    immutable: options.immutable === true,
    ...(options.maxAge === undefined
      ? {}
      : { maxAge: parseMaxAge(options.maxAge, `${path}.maxAge`) * 1000 }),
  };

  return (req, res, next) => {
    if (!isReadRequest(req)) {
      next();
      return;
    }
    const url = req.url ?? '/';
    if (dotfiles !== 'allow' && isDotPath(url)) {
      if (dotfiles === 'deny') sendErrorPage(req, res, 403);
      else next();
      return;
    }
    serveFile(req, res, next, url.split('?')[0] ?? '/', sendOptions, logger);
  };
}

/** Hands one request to `send`, turning everything that can go wrong into a status. */
function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
  pathname: string,
  options: send.SendOptions,
  logger: StaticLogger,
): void {
  // Set once this request has been answered here, so send's own follow-up is ignored.
  let answered = false;
  let found: string | undefined;
  const answer = (status: number, headers: Record<string, string> = {}): void => {
    answered = true;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendErrorPage(req, res, status, headers);
  };
  const stream = send(req, pathname, options);
  stream.on('file', (file: string, stat: Stats) => {
    found = file;
    if (!stat.isFile()) {
      logger.warn(`Not serving ${requestPath(req)}: not a regular file.`);
      answer(403);
      return;
    }
    const range = req.headers.range;
    if (
      range !== undefined &&
      req.headers['if-range'] === undefined &&
      /^ *bytes=/.test(range) &&
      parseRange(stat.size, range, { combine: true }) === -2
    ) {
      // send ignores a malformed byte range; webpack-dev-server (and RFC 9110) answer 416.
      answer(416, { 'Content-Range': `bytes */${stat.size}` });
    }
  });
  stream.on('directory', () => {
    answered = true;
    redirectToFolder(req, res);
  });
  stream.on(
    'error',
    (error: NodeJS.ErrnoException & { status?: number; headers?: Record<string, string> }) => {
      if (answered) return;
      const code = error.code ?? '';
      if (NOT_FOUND_CODES.has(code) || (error.status === 404 && !code)) {
        // Gone between the stat and the open: as if it never was.
        if (found !== undefined)
          logger.warn(`${requestPath(req)} vanished while being served (${code}).`);
        if (res.headersSent) res.destroy();
        else next();
        return;
      }
      if (FORBIDDEN_CODES.has(code)) {
        logger.error(`Cannot read ${requestPath(req)}: ${code} (${error.message}).`);
        answer(403);
        return;
      }
      if (code) {
        logger.error(`Cannot read ${requestPath(req)}: ${code} (${error.message}).`);
        answer(500);
        return;
      }
      // send's own answers: 400 (bad encoding, null byte), 403 (`..` out of the folder), 412, 416.
      answer(error.status ?? 500, error.headers);
    },
  );
  // A file rewritten while it is sent (an editor truncates, then writes) must not break
  // the connection's framing: send reads one byte of a file that was empty at the stat
  // (its end offset is inclusive), and a file that shrank leaves a keep-alive client
  // waiting for bytes that never come. Send nothing more, or close the connection.
  stream.on('stream', (file: ReadStream) => {
    const expected = Number(res.getHeader('Content-Length'));
    if (expected === 0) {
      file.destroy();
      res.end();
      return;
    }
    file.once('end', () => {
      if (file.bytesRead >= expected) return;
      logger.warn(`${requestPath(req)} changed while being served; closing the connection.`);
      res.destroy();
    });
  });
  stream.pipe(res);
}
