import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Configuration } from 'webpack';
import type { MiddlewareContext } from './context';
import { optionError } from './errors';

/** A header value as `ServerResponse#setHeader` takes it. */
export type HeaderValue = string | number | readonly string[];

/** `[{ key, value }]`: the array form of the `headers` option. */
export type HeaderList = ReadonlyArray<{ key: string; value: HeaderValue }>;

/** The framework's raw request and response (Node's for node:http, express, Koa, Fastify and Hono on @hono/node-server). */
export type RawRequest = IncomingMessage;
export type RawResponse = ServerResponse;

/**
 * The function form of `headers`: set headers on `res` yourself, or return them.
 * `context` is the middleware's {@link MiddlewareContext}.
 */
export type HeadersFunction = (
  req: RawRequest | undefined,
  res: RawResponse | undefined,
  context: MiddlewareContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: a function that only sets headers returns void
) => Readonly<Record<string, HeaderValue>> | HeaderList | undefined | void;

/** What `modifyResponseData` receives and returns: the body and its length in bytes. */
export interface ResponseData {
  data: Buffer | Readable;
  byteLength: number;
}

export type ModifyResponseData = (
  req: RawRequest | undefined,
  res: RawResponse | undefined,
  data: Buffer | Readable,
  byteLength: number,
) => ResponseData;

/** The file-system calls the middleware serves with (memfs and node:fs both qualify). */
export interface ServedFileSystem {
  statSync(path: string): {
    isFile(): boolean;
    isDirectory(): boolean;
    size: number;
    mtime: Date;
  };
  readFileSync(path: string): Buffer | Uint8Array | string;
  createReadStream?(path: string, options: { start: number; end: number }): Readable;
  unlinkSync?(path: string): void;
}

export type StatsOption = Configuration['stats'];

/** The webpack-dev-middleware major whose API is followed where 7 and 8 differ. */
export type ApiVersion = 7 | 8;

export interface CacheControlObject {
  /** Milliseconds (webpack-dev-middleware's unit); default one year. */
  maxAge?: number;
  immutable?: boolean;
}

/** The options of webpack-dev-middleware 7 and 8: same names, types and defaults. */
export interface MemfsMiddlewareOptions {
  /** Defaults to `output.publicPath`; `auto` and `''` mean `/`; `[fullhash]` is substituted. */
  publicPath?: string | ((pathData: object, assetInfo?: object) => string);
  /** Defaults to the compiler's `stats`; `false` prints nothing. */
  stats?: StatsOption;
  headers?: Readonly<Record<string, HeaderValue>> | HeaderList | HeadersFunction;
  /**
   * Extra extension → type pairs, e.g. `{ phtml: 'text/html' }` or, as in mime-db,
   * `{ phtml: ['text/html'] }` (the first type is used). This instance only.
   */
  mimeTypes?: Readonly<Record<string, string | readonly string[]>>;
  mimeTypeDefault?: string;
  /** Default `index.html`; `false` turns directory indexes off. */
  index?: boolean | string;
  /** Sets `res.locals.webpack.devMiddleware` before falling through, once the bundle is valid. */
  serverSideRender?: boolean;
  /** `true`: keep the compiler's own (disk) fs. A function: serve from memory and copy the files it accepts to disk. */
  writeToDisk?: boolean | ((targetPath: string) => boolean);
  outputFileSystem?: ServedFileSystem;
  /** Default `['GET', 'HEAD']`. */
  methods?: readonly string[];
  etag?: 'weak' | 'strong';
  lastModified?: boolean;
  /** `true`, a number of **milliseconds**, a verbatim string, or `{ maxAge (ms), immutable }`. */
  cacheControl?: boolean | number | string | CacheControlObject;
  /**
   * Serve assets webpack marks `immutable` with `public, max-age=31536000, immutable`.
   * Default off with `apiVersion: 7`, on with `apiVersion: 8` (as in each major).
   */
  cacheImmutable?: boolean;
  modifyResponseData?: ModifyResponseData;
  /**
   * webpack-dev-middleware 8: errors (400, 403, 404 from the fs, 412, 416, 500) go to
   * `next(error)` with `error.statusCode`, with the headers set so far removed, instead of
   * the error page. Koa, Hono and hapi call their `next` instead (as wdm 8 does); Fastify
   * hands the error to its error handler.
   */
  forwardError?: boolean;
  /**
   * Which webpack-dev-middleware major's API to follow where they conflict. `7` (default):
   * `getFilenameFromUrl(url)` returns the filename, `cacheImmutable` defaults to off. `8`:
   * `getFilenameFromUrl(url)` resolves to `{ filename, extra }` (and rejects for 400/403
   * paths), `cacheImmutable` defaults to on. Everything else is the same in both.
   */
  apiVersion?: ApiVersion;
}

const STATS_PRESETS = [
  'none',
  'summary',
  'errors-only',
  'errors-warnings',
  'minimal',
  'normal',
  'detailed',
  'verbose',
] as const;

type Check = (value: unknown, name: string) => void;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `a ${typeof value}`;
}

function fail(name: string, expected: string, value: unknown): never {
  throw optionError('INVALID_OPTION', name, `expected ${expected}, got ${describe(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHeaderValue(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

const checks: Record<keyof MemfsMiddlewareOptions, Check> = {
  publicPath: (v, n) => {
    if (typeof v !== 'string' && typeof v !== 'function')
      fail(n, '"auto", a string or a function', v);
  },
  stats: (v, n) => {
    if (typeof v === 'boolean' || isPlainObject(v)) return;
    if (typeof v === 'string' && (STATS_PRESETS as readonly string[]).includes(v)) return;
    fail(n, `a boolean, an object or one of ${STATS_PRESETS.join(', ')}`, v);
  },
  headers: (v, n) => {
    if (typeof v === 'function') return;
    if (Array.isArray(v)) {
      if (v.length === 0) fail(n, 'a non-empty array of { key, value }', v);
      v.forEach((item, i) => {
        if (!isPlainObject(item) || typeof item.key !== 'string' || !isHeaderValue(item.value)) {
          fail(`${n}[${i}]`, '{ key: string, value: string }', item);
        }
      });
      return;
    }
    if (!isPlainObject(v)) fail(n, 'an object, an array of { key, value } or a function', v);
    for (const [key, value] of Object.entries(v)) {
      if (!isHeaderValue(value)) fail(`${n}.${key}`, 'a string, a number or a string array', value);
    }
  },
  mimeTypes: (v, n) => {
    if (!isPlainObject(v)) fail(n, 'an object of extension → MIME type', v);
    for (const [key, value] of Object.entries(v)) {
      if (typeof value === 'string') continue;
      if (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((item) => typeof item === 'string')
      )
        continue;
      fail(`${n}.${key}`, 'a string or a non-empty array of strings', value);
    }
  },
  mimeTypeDefault: (v, n) => {
    if (typeof v !== 'string') fail(n, 'a string', v);
  },
  index: (v, n) => {
    if (typeof v !== 'boolean' && typeof v !== 'string') fail(n, 'a boolean or a string', v);
  },
  serverSideRender: (v, n) => {
    if (typeof v !== 'boolean') fail(n, 'a boolean', v);
  },
  writeToDisk: (v, n) => {
    if (typeof v !== 'boolean' && typeof v !== 'function') fail(n, 'a boolean or a function', v);
  },
  outputFileSystem: (v, n) => {
    if (typeof v !== 'object' || v === null) fail(n, 'a file system object', v);
    const fs = v as Record<string, unknown>;
    for (const method of ['statSync', 'readFileSync'] as const) {
      if (typeof fs[method] !== 'function') fail(n, `a file system with ${method}()`, v);
    }
  },
  methods: (v, n) => {
    if (!Array.isArray(v) || !v.every((m) => typeof m === 'string'))
      fail(n, 'an array of strings', v);
  },
  etag: (v, n) => {
    if (v !== 'weak' && v !== 'strong') fail(n, '"weak" or "strong"', v);
  },
  lastModified: (v, n) => {
    if (typeof v !== 'boolean') fail(n, 'a boolean', v);
  },
  cacheControl: (v, n) => {
    if (typeof v === 'boolean' || typeof v === 'string') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(n, 'a finite number of milliseconds', v);
      return;
    }
    if (!isPlainObject(v)) fail(n, 'a boolean, a number, a string or { maxAge, immutable }', v);
    for (const [key, value] of Object.entries(v)) {
      if (key === 'maxAge') {
        if (typeof value !== 'number' || !Number.isFinite(value))
          fail(`${n}.maxAge`, 'a number', value);
      } else if (key === 'immutable') {
        if (typeof value !== 'boolean') fail(`${n}.immutable`, 'a boolean', value);
      } else {
        throw optionError(
          'UNKNOWN_OPTION',
          `${n}.${key}`,
          'unknown property (expected maxAge or immutable)',
        );
      }
    }
  },
  cacheImmutable: (v, n) => {
    if (typeof v !== 'boolean') fail(n, 'a boolean', v);
  },
  modifyResponseData: (v, n) => {
    if (typeof v !== 'function') fail(n, 'a function', v);
  },
  forwardError: (v, n) => {
    if (typeof v !== 'boolean') fail(n, 'a boolean', v);
  },
  apiVersion: (v, n) => {
    if (v !== 7 && v !== 8) fail(n, '7 or 8 (the webpack-dev-middleware major to follow)', v);
  },
};

/** The option names webpack-dev-middleware 7 and 8 accept, plus `apiVersion`. */
export const OPTION_NAMES: readonly (keyof MemfsMiddlewareOptions)[] = Object.keys(
  checks,
) as (keyof MemfsMiddlewareOptions)[];

/**
 * Throws a {@link MemfsMiddlewareError} (`code` INVALID_OPTION or UNKNOWN_OPTION, `option`) naming the first unknown or mistyped option. `undefined`
 * values count as absent, as they do in webpack-dev-middleware's schema.
 */
export function validateOptions(options: unknown): MemfsMiddlewareOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) fail('options', 'an object', options);
  for (const [name, value] of Object.entries(options)) {
    const check = (checks as Record<string, Check | undefined>)[name];
    if (!check) {
      throw optionError(
        'UNKNOWN_OPTION',
        name,
        `unknown option (known options: ${OPTION_NAMES.join(', ')})`,
      );
    }
    if (value !== undefined) check(value, name);
  }
  return options as MemfsMiddlewareOptions;
}
