import { join, relative, resolve, sep } from 'node:path';
import { unescape as unescapeQuery } from 'node:querystring';
import type { Compilation, MultiStats, Stats } from 'webpack';
import { getChildStats } from './context';
import { MemfsMiddlewareError } from './errors';
import type { MemfsMiddlewareOptions, ServedFileSystem } from './options';

/** One served output: where its files live and under which URL prefix. */
export interface ServedTarget {
  readonly outputPath: string;
  /**
   * Decoded URL pathname prefix, always starting with `/`; `undefined` for a malformed URL
   * (nothing is served under it, as webpack-dev-middleware answers 404 there).
   */
  readonly publicPath: string | undefined;
  readonly compilation: Compilation;
}

export interface ResolvedFile {
  readonly filename: string;
  readonly size: number;
  readonly mtime: Date;
  /** webpack marked the asset `immutable` (content-hashed name). */
  readonly immutable: boolean;
}

// Per options object (each instance may set its own publicPath), then per build.
const targetCache = new WeakMap<object, WeakMap<object, ServedTarget[]>>();

/** The request-target's path, still encoded, or `undefined` for forms we never serve. */
export function extractPathname(url: string): string | undefined {
  const end = url.search(/[?#]/);
  let path = end === -1 ? url : url.slice(0, end);
  if (!path.startsWith('/')) {
    // Absolute-form (`http://host/path`), as proxies send it.
    const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
    if (!scheme) return undefined;
    path = path.slice(scheme[0].length) || '/';
  }
  return path;
}

/**
 * Percent-decoding that never throws: valid escapes are decoded, a `%` that starts no valid
 * escape stays as it is (so a file named `%foo%.js` is reachable as `/%foo%.js`, as in
 * webpack-dev-middleware). Containment is checked on the result, so this cannot widen it.
 */
export function decodePath(text: string): string {
  return text.includes('%') ? unescapeQuery(text) : text;
}

function decodesCleanly(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Only the pathname of a publicPath counts: `http://127.0.0.1:3000/` and `//cdn/` mean `/`.
 * A URL that does not parse, or whose user info is not valid percent-encoding, is
 * `undefined`: webpack-dev-middleware serves nothing under such a publicPath.
 */
export function normalizePublicPath(publicPath: string): string | undefined {
  if (publicPath === '' || publicPath === 'auto') return '/';
  let pathname = publicPath;
  if (/^[a-z][a-z0-9+.-]*:/i.test(publicPath) || publicPath.startsWith('//')) {
    let url: URL;
    try {
      url = new URL(publicPath, 'http://localhost');
    } catch {
      return undefined;
    }
    if (!decodesCleanly(url.username) || !decodesCleanly(url.password)) return undefined;
    pathname = url.pathname;
  }
  if (!pathname.startsWith('/')) pathname = `/${pathname}`;
  return decodePath(pathname);
}

export function getServedTargets(
  stats: Stats | MultiStats,
  options: MemfsMiddlewareOptions,
  onMalformed?: (publicPath: string) => void,
): ServedTarget[] {
  let perOptions = targetCache.get(options);
  if (!perOptions) {
    perOptions = new WeakMap();
    targetCache.set(options, perOptions);
  }
  const cached = perOptions.get(stats);
  if (cached) return cached;
  const targets: ServedTarget[] = [];
  for (const child of getChildStats(stats)) {
    const { compilation } = child;
    if (compilation.options.devServer === false) continue;
    const outputPath = compilation.getPath(compilation.outputOptions.path ?? '');
    const publicPath = options.publicPath ?? compilation.outputOptions.publicPath ?? '';
    const resolvedPublicPath =
      publicPath === 'auto' ? 'auto' : compilation.getPath(publicPath as string, {});
    const normalized = normalizePublicPath(resolvedPublicPath);
    if (normalized === undefined) onMalformed?.(resolvedPublicPath);
    targets.push({ outputPath: resolve(outputPath), publicPath: normalized, compilation });
  }
  perOptions.set(stats, targets);
  return targets;
}

/** Containment after resolving: the only test of "inside the output folder" we trust. */
export function isInside(root: string, candidate: string): boolean {
  const base = root.endsWith(sep) ? root : root + sep;
  return candidate === root || candidate.startsWith(base);
}

function statOrUndefined(
  fs: ServedFileSystem,
  path: string,
): ReturnType<ServedFileSystem['statSync']> | undefined {
  try {
    return fs.statSync(path);
  } catch {
    return undefined;
  }
}

function isImmutable(target: ServedTarget, filename: string): boolean {
  const name = relative(target.outputPath, filename).split(sep).join('/');
  // getAsset works on webpack's and Rspack's compilations alike (Rspack has no `assetsInfo`).
  return target.compilation.getAsset(name)?.info.immutable === true;
}

/**
 * URL → file. Decode once, strip the publicPath, join onto the output folder, resolve, then
 * require the result to be inside it. A `\0` throws 400, an escape 403; a miss returns
 * `undefined` so the next compiler (and then the next middleware) gets a turn.
 */
export function resolveFile(
  url: string,
  targets: readonly ServedTarget[],
  fs: ServedFileSystem,
  index: string | false,
): ResolvedFile | undefined {
  const encoded = extractPathname(url);
  if (encoded === undefined) return undefined;
  const pathname = decodePath(encoded);
  if (pathname.includes('\0'))
    throw new MemfsMiddlewareError('INVALID_PATH', 'Null byte in the request path');
  for (const target of targets) {
    if (target.publicPath === undefined || !pathname.startsWith(target.publicPath)) continue;
    const rest = pathname.slice(target.publicPath.length);
    // `join` keeps a leading `/` in `rest` relative; `resolve` then normalizes what is left.
    const candidate = resolve(join(target.outputPath, rest));
    if (!isInside(target.outputPath, candidate)) {
      throw new MemfsMiddlewareError(
        'FORBIDDEN_PATH',
        'The request path resolves outside the output folder',
      );
    }
    let filename = candidate;
    let stat = statOrUndefined(fs, filename);
    if (stat?.isDirectory()) {
      if (index === false) continue;
      filename = join(candidate, index);
      stat = statOrUndefined(fs, filename);
    }
    if (!stat?.isFile() || !isInside(target.outputPath, filename)) continue;
    return {
      filename,
      size: stat.size,
      mtime: stat.mtime,
      immutable: isImmutable(target, filename),
    };
  }
  return undefined;
}
