import sirv from 'sirv';
import type { Middleware } from '../chain';
import { type NormalizedStatic, parseMaxAge } from '../options';
import { decodePath, isReadRequest, sendText } from './request';

/**
 * One `static` folder, as express.static would serve it: GET/HEAD, index.html
 * for folders, no dotfiles, ETags, no caching by default. `staticOptions`
 * supports express.static's dotfiles, etag, extensions, immutable, maxAge
 * (plus index, redirect and fallthrough at their defaults).
 */
export function createStaticMiddleware(item: NormalizedStatic, index: number): Middleware {
  // Validated by normalizeOptions (static[].staticOptions), before anything was built.
  const options = item.staticOptions;
  const path = `static[${index}].staticOptions`;
  const dotfiles = (options.dotfiles ?? 'ignore') as 'ignore' | 'allow' | 'deny';
  const extensions = options.extensions;
  const serve = sirv(item.directory, {
    // dev: read the folder on every request, so edits show without a restart.
    dev: true,
    etag: options.etag !== false,
    dotfiles: dotfiles === 'allow',
    // sirv also finds a folder's index.html through these, so html stays in the list.
    extensions: [
      ...new Set([...(Array.isArray(extensions) ? (extensions as string[]) : []), 'html', 'htm']),
    ],
    maxAge:
      options.maxAge === undefined ? undefined : parseMaxAge(options.maxAge, `${path}.maxAge`),
    immutable: options.immutable === true,
  } as Parameters<typeof sirv>[1]);
  return (req, res, next) => {
    if (!isReadRequest(req)) {
      next();
      return;
    }
    if (dotfiles === 'deny' && /(?:^|\/)\.[^/]/.test(decodePath(req.url ?? '/'))) {
      sendText(res, 403, 'Forbidden');
      return;
    }
    serve(req, res, () => next());
  };
}
