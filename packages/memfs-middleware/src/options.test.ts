import { describe, expect, it } from 'vitest';
import { MemfsMiddlewareError } from './errors';
import { OPTION_NAMES, validateOptions } from './options';

describe('validateOptions', () => {
  it('accepts every webpack-dev-middleware 7 and 8 option in each of its forms', () => {
    const valid = [
      { publicPath: 'auto' },
      { publicPath: '/static/[fullhash]/' },
      { publicPath: () => '/' },
      { stats: false },
      { stats: 'errors-only' },
      { stats: { preset: 'minimal' } },
      { headers: { 'X-A': 'a', 'X-N': 1, 'X-L': ['a', 'b'] } },
      { headers: [{ key: 'X-A', value: 'a' }] },
      { headers: () => undefined },
      { mimeTypes: { phtml: 'text/html' } },
      { mimeTypes: { phtml: ['text/html'] } },
      { forwardError: true },
      { apiVersion: 7 },
      { apiVersion: 8 },
      { mimeTypeDefault: 'text/plain' },
      { index: false },
      { index: 'default.html' },
      { serverSideRender: true },
      { writeToDisk: true },
      { writeToDisk: (p: string) => p.endsWith('.html') },
      { outputFileSystem: { statSync: () => {}, readFileSync: () => '' } },
      { methods: ['GET', 'POST'] },
      { etag: 'weak' },
      { etag: 'strong' },
      { lastModified: true },
      { cacheControl: true },
      { cacheControl: 1000 },
      { cacheControl: 'no-store' },
      { cacheControl: { maxAge: 1000, immutable: true } },
      { cacheImmutable: true },
      { modifyResponseData: () => ({ data: Buffer.alloc(0), byteLength: 0 }) },
      { etag: undefined },
    ];
    for (const options of valid)
      expect(() => validateOptions(options), JSON.stringify(options)).not.toThrow();
    expect(validateOptions(undefined)).toEqual({});
    expect(OPTION_NAMES).toHaveLength(17);
  });

  it.each([
    [{ unknown: true }, 'unknown', /unknown option/],
    [{ writeToDisc: true }, 'writeToDisc', /unknown option/],
    [{ publicPath: 1 }, 'publicPath', /expected "auto", a string or a function, got a number/],
    [{ stats: 'loud' }, 'stats', /one of none, summary/],
    [{ headers: [] }, 'headers', /non-empty array/],
    [{ headers: [{ key: 'a' }] }, 'headers[0]', /\{ key: string, value: string \}/],
    [{ headers: { a: {} } }, 'headers.a', /a string, a number or a string array/],
    [{ headers: 'x' }, 'headers', /got the string "x"/],
    [{ mimeTypes: { js: 1 } }, 'mimeTypes.js', /a string/],
    [{ mimeTypes: { js: [] } }, 'mimeTypes.js', /non-empty array of strings/],
    [{ mimeTypes: { js: [1] } }, 'mimeTypes.js', /non-empty array of strings/],
    [{ forwardError: 'yes' }, 'forwardError', /a boolean/],
    [{ apiVersion: 9 }, 'apiVersion', /7 or 8/],
    [{ mimeTypeDefault: 1 }, 'mimeTypeDefault', /a string/],
    [{ index: 1 }, 'index', /a boolean or a string/],
    [{ serverSideRender: 'yes' }, 'serverSideRender', /a boolean/],
    [{ writeToDisk: 'yes' }, 'writeToDisk', /a boolean or a function/],
    [{ outputFileSystem: {} }, 'outputFileSystem', /statSync/],
    [{ methods: 'GET' }, 'methods', /an array of strings/],
    [{ methods: [1] }, 'methods', /an array of strings/],
    [{ etag: true }, 'etag', /"weak" or "strong"/],
    [{ lastModified: 'yes' }, 'lastModified', /a boolean/],
    [{ cacheControl: Number.NaN }, 'cacheControl', /finite number/],
    [{ cacheControl: null }, 'cacheControl', /got null/],
    [{ cacheControl: { maxAge: '1' } }, 'cacheControl.maxAge', /a number/],
    [{ cacheControl: { immutable: 1 } }, 'cacheControl.immutable', /a boolean/],
    [{ cacheControl: { public: true } }, 'cacheControl.public', /unknown property/],
    [{ cacheImmutable: 1 }, 'cacheImmutable', /a boolean/],
    [{ modifyResponseData: {} }, 'modifyResponseData', /a function/],
  ])('rejects %j naming %s', (options, option, message) => {
    let error: unknown;
    try {
      validateOptions(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MemfsMiddlewareError);
    expect((error as MemfsMiddlewareError).option).toBe(option);
    expect((error as MemfsMiddlewareError).code).toBe(
      /unknown/.test(message.source) ? 'UNKNOWN_OPTION' : 'INVALID_OPTION',
    );
    expect((error as MemfsMiddlewareError).message).toContain(`"${option}"`);
    expect((error as MemfsMiddlewareError).message).toMatch(message);
  });

  it('rejects a non-object', () => {
    expect(() => validateOptions('x')).toThrow(MemfsMiddlewareError);
  });
});
