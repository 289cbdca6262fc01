import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { CacheControlObject } from './options';

const ONE_YEAR_MS = 31_536_000_000;

/** The one HTML page every error status gets. Only the status is shown, never the request. */
export function createErrorPage(status: number): string {
  const text = ERROR_TEXT[status] ?? String(status);
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${escapeHtml(text)}</pre>\n</body>\n</html>`;
}

/** The text of each error page (412 has none: the page shows the number). */
export const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  416: 'Range Not Satisfiable',
  500: 'Internal Server Error',
};

/** webpack-dev-middleware's units: numbers are milliseconds, clamped to a year, sent in seconds. */
export function formatCacheControl(
  option: boolean | number | string | CacheControlObject | undefined,
): string | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return 'public, max-age=31536000';
  if (typeof option === 'string') return option;
  if (typeof option === 'number') return `public, max-age=${toSeconds(option)}`;
  const base = `public, max-age=${toSeconds(option.maxAge ?? ONE_YEAR_MS)}`;
  return option.immutable ? `${base}, immutable` : base;
}

function toSeconds(ms: number): number {
  return Math.floor(Math.min(Math.max(ms, 0), ONE_YEAR_MS) / 1000);
}

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export function createWeakEtag(size: number, mtime: Date): string {
  return `W/"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
}

/** Over the whole file (an entity tag names the representation, not the slice a Range asks for). */
export function createStrongEtag(data: Uint8Array): string {
  const hash = createHash('sha1').update(data).digest('base64').slice(0, 27);
  return `"${data.byteLength.toString(16)}-${hash}"`;
}

/** Splits `"a", W/"b"` into its tokens. */
export function parseTokenList(header: string): string[] {
  return header
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

function weakMatch(token: string, etag: string): boolean {
  return token === etag || `W/${token}` === etag || token === `W/${etag}`;
}

export interface ValidatorHeaders {
  ifMatch: string | undefined;
  ifUnmodifiedSince: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  cacheControl: string | undefined;
}

/** RFC 9110 §13.1.1 and §13.1.4, with weak comparison as webpack-dev-middleware does. */
export function isPreconditionFailure(
  request: ValidatorHeaders,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (request.ifMatch !== undefined) {
    if (etag === undefined) return true;
    if (request.ifMatch.trim() === '*') return false;
    return !parseTokenList(request.ifMatch).some((token) => weakMatch(token, etag));
  }
  if (request.ifUnmodifiedSince !== undefined) {
    const since = Date.parse(request.ifUnmodifiedSince);
    if (Number.isNaN(since)) return false;
    const modified = lastModified === undefined ? Number.NaN : Date.parse(lastModified);
    return Number.isNaN(modified) || modified > since;
  }
  return false;
}

/** Whether the client's cached copy is current (→ 304). */
export function isFresh(
  request: ValidatorHeaders,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (
    request.cacheControl !== undefined &&
    /(?:^|,)\s*no-cache\s*(?:,|$)/i.test(request.cacheControl)
  ) {
    return false;
  }
  if (request.ifNoneMatch !== undefined) {
    if (request.ifNoneMatch.trim() === '*') return true;
    if (etag === undefined) return false;
    return parseTokenList(request.ifNoneMatch).some((token) => weakMatch(token, etag));
  }
  if (request.ifModifiedSince !== undefined) {
    if (lastModified === undefined) return false;
    const modified = Date.parse(lastModified);
    const since = Date.parse(request.ifModifiedSince);
    return !Number.isNaN(modified) && !Number.isNaN(since) && modified <= since;
  }
  return false;
}

/**
 * If-Range (RFC 9110 §13.1.5): the Range applies only while the validator still matches.
 * Unlike webpack-dev-middleware, a missing validator means "changed", so the full body is sent.
 */
export function isRangeCurrent(
  ifRange: string | undefined,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.includes('"')) return etag !== undefined && ifRange.trim() === etag;
  if (lastModified === undefined) return false;
  const since = Date.parse(ifRange);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}
