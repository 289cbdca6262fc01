import { join, relative, resolve, sep } from 'node:path';
import type { Compilation, MultiStats, Stats } from 'webpack';
import { getChildStats } from './context';
import { FilenameError } from './errors';
import type { MemfsMiddlewareOptions, ServedFileSystem } from './options';

/** One served output: where its files live and under which URL prefix. */
export interface ServedTarget {
  readonly outputPath: string;
  /** Decoded URL pathname prefix, always starting with `/`. */
  readonly publicPath: string;
  readonly compilation: Compilation;
}

export interface ResolvedFile {
  readonly filename: string;
  readonly size: number;
  readonly mtime: Date;
  /** webpack marked the asset `immutable` (content-hashed name). */
  readonly immutable: boolean;
}

const targetCache = new WeakMap<object, ServedTarget[]>();

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

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Only the pathname of a publicPath counts: `http://127.0.0.1:3000/` and `//cdn/` mean `/`. */
export function normalizePublicPath(publicPath: string): string {
  if (publicPath === '' || publicPath === 'auto') return '/';
  let pathname = publicPath;
  if (/^[a-z][a-z0-9+.-]*:/i.test(publicPath) || publicPath.startsWith('//')) {
    try {
      pathname = new URL(publicPath, 'http://localhost').pathname;
    } catch {
      pathname = '/';
    }
  }
  if (!pathname.startsWith('/')) pathname = `/${pathname}`;
  return safeDecode(pathname) ?? pathname;
}

export function getServedTargets(
  stats: Stats | MultiStats,
  options: MemfsMiddlewareOptions,
): ServedTarget[] {
  const cached = targetCache.get(stats);
  if (cached) return cached;
  const targets: ServedTarget[] = [];
  for (const child of getChildStats(stats)) {
    const { compilation } = child;
    if (compilation.options.devServer === false) continue;
    const outputPath = compilation.getPath(compilation.outputOptions.path ?? '');
    const publicPath = options.publicPath ?? compilation.outputOptions.publicPath ?? '';
    const resolvedPublicPath =
      publicPath === 'auto' ? 'auto' : compilation.getPath(publicPath as string, {});
    targets.push({
      outputPath: resolve(outputPath),
      publicPath: normalizePublicPath(resolvedPublicPath),
      compilation,
    });
  }
  targetCache.set(stats, targets);
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
  const pathname = safeDecode(encoded);
  if (pathname === undefined) return undefined;
  if (pathname.includes('\0')) throw new FilenameError(400, 'Null byte in the request path');
  for (const target of targets) {
    if (!pathname.startsWith(target.publicPath)) continue;
    const rest = pathname.slice(target.publicPath.length);
    // `join` keeps a leading `/` in `rest` relative; `resolve` then normalizes what is left.
    const candidate = resolve(join(target.outputPath, rest));
    if (!isInside(target.outputPath, candidate)) {
      throw new FilenameError(403, 'The request path resolves outside the output folder');
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
