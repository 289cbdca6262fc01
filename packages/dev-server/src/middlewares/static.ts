import sirv from 'sirv';
import type { Middleware } from '../chain';
import { DevServerError, invalidOption } from '../errors';
import type { NormalizedStatic } from '../options';
import { decodePath, isReadRequest, sendText } from './request';

const STATIC_OPTION_KEYS = new Set([
  'dotfiles',
  'etag',
  'extensions',
  'immutable',
  'index',
  'maxAge',
  'redirect',
  'fallthrough',
]);

/** Parses express.static's maxAge (ms number or "1d"/"2h"/...) to seconds for sirv. */
function parseMaxAge(value: unknown, path: string): number {
  if (typeof value === 'number' && value >= 0) return Math.floor(value / 1000);
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|y)?$/.exec(value.trim());
    if (match) {
      const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, y: 31557600 }[
        (match[2] ?? 'ms') as 'ms'
      ];
      return Math.floor(Number(match[1]) * unit);
    }
  }
  throw invalidOption(path, 'milliseconds or a duration like "1d"', value);
}

/**
 * One `static` folder, as express.static would serve it: GET/HEAD, index.html
 * for folders, no dotfiles, ETags, no caching by default. `staticOptions`
 * supports express.static's dotfiles, etag, extensions, immutable, maxAge
 * (plus index, redirect and fallthrough at their defaults).
 */
export function createStaticMiddleware(item: NormalizedStatic, index: number): Middleware {
  const options = item.staticOptions;
  const path = `static[${index}].staticOptions`;
  for (const key of Object.keys(options)) {
    if (!STATIC_OPTION_KEYS.has(key)) {
      throw new DevServerError(
        'UNSUPPORTED_OPTION',
        `Unsupported option: devServer.${path}.${key} (supported: ${[...STATIC_OPTION_KEYS].join(', ')}).`,
      );
    }
  }
  for (const key of ['index', 'redirect', 'fallthrough'] as const) {
    const v = options[key];
    if (v !== undefined && v !== true && !(key === 'index' && v === 'index.html')) {
      throw new DevServerError(
        'UNSUPPORTED_OPTION',
        `Unsupported option: devServer.${path}.${key}: only the default is supported.`,
      );
    }
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  if (dotfiles !== 'ignore' && dotfiles !== 'allow' && dotfiles !== 'deny') {
    throw invalidOption(`${path}.dotfiles`, '"allow", "deny" or "ignore"', dotfiles);
  }
  const extensions = options.extensions;
  if (
    extensions !== undefined &&
    extensions !== false &&
    !(Array.isArray(extensions) && extensions.every((e) => typeof e === 'string'))
  ) {
    throw invalidOption(`${path}.extensions`, 'false or a list of extensions', extensions);
  }
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
