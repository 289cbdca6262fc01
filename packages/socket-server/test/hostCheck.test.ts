import { loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import {
  checkConnectionHeaders,
  checkHttpRequest,
  type HttpRequestCheckOptions,
  isHostAllowed,
  isSameOrigin,
  isValidHost,
  normalizeAllowedHosts,
  parseHostHeader,
  parseOriginHeader,
} from '../src/index';

interface RecordedGet {
  server: 'default' | 'allowedHosts';
  name: string;
  request: { headers: Record<string, string> };
  response: { status: number; headers: Record<string, string>; body: string };
}

const serverOptions: Record<RecordedGet['server'], HttpRequestCheckOptions> = {
  default: { host: '127.0.0.1' },
  allowedHosts: { host: '127.0.0.1', allowedHosts: ['.example.test'] },
};

const lowerKeys = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.replace(/PORT/g, '8080')]),
  );

describe('checkHttpRequest against the recorded wds5 HTTP GETs', () => {
  const gets = loadFixture<{ httpGets: RecordedGet[] }>('wds5-rejected').httpGets;

  it('has the 9 recorded requests', () => {
    expect(gets).toHaveLength(9);
  });

  it.each(gets)('$server/$name', (get) => {
    const verdict = checkHttpRequest(lowerKeys(get.request.headers), serverOptions[get.server]);
    if (get.response.status === 403) {
      expect(verdict).toEqual({ allowed: false, status: 403, body: get.response.body });
    } else {
      expect(verdict).toEqual({
        allowed: true,
        crossOriginResourcePolicy:
          get.response.headers['cross-origin-resource-policy'] === 'same-origin',
      });
    }
  });

  it('leaves CORP off with allowedHosts "all" or a user CORS wildcard', () => {
    const headers = { host: '127.0.0.1:8080' };
    expect(checkHttpRequest(headers, { allowedHosts: 'all' })).toEqual({
      allowed: true,
      crossOriginResourcePolicy: false,
    });
    expect(checkHttpRequest(headers, { corsWildcard: true })).toEqual({
      allowed: true,
      crossOriginResourcePolicy: false,
    });
  });

  it('reads :authority for HTTP/2', () => {
    expect(checkHttpRequest({ ':authority': 'evil.test:8080' }).allowed).toBe(false);
    expect(checkHttpRequest({ ':authority': 'localhost:8080' }).allowed).toBe(true);
  });
});

describe('normalizeAllowedHosts', () => {
  it('follows webpack-dev-server 5', () => {
    expect(normalizeAllowedHosts(undefined)).toEqual([]);
    expect(normalizeAllowedHosts('auto')).toEqual([]);
    expect(normalizeAllowedHosts('all')).toBe('all');
    expect(normalizeAllowedHosts('Example.com')).toEqual(['example.com']);
    expect(normalizeAllowedHosts(['a.test', 'all'])).toBe('all');
  });
});

describe('isHostAllowed', () => {
  const options = { allowedHosts: ['.example.com', 'exact.test'], webSocketHostname: 'ws.test' };
  it.each([
    ['example.com', true],
    ['www.example.com', true],
    ['a.b.example.com', true],
    ['notexample.com', false],
    ['exact.test', true],
    ['sub.exact.test', false],
    ['ws.test', true],
    ['localhost', false],
    ['127.0.0.1', false],
  ])('%s → %s', (hostname, expected) => {
    expect(isHostAllowed(hostname, options)).toBe(expected);
  });
});

describe('isValidHost', () => {
  it.each([
    ['127.0.0.1:8080', true],
    ['10.1.2.3', true],
    ['[::1]:8080', true],
    ['[fe80::1]', true],
    ['localhost', true],
    ['LOCALHOST:1', true],
    ['a.b.localhost:3000', true],
    ['mybox.lan:8080', true], // the configured host
    ['evil.test', false],
    ['localhost.evil.test', false],
    ['127.0.0.1:8080/x', false],
    ['127.0.0.1:99999', false],
    ['user@localhost', false],
    ['[::1', false],
    ['local host', false],
    ['', false],
  ])('Host %j → %s', (host, expected) => {
    expect(isValidHost({ host }, 'host', { host: 'mybox.lan' })).toBe(expected);
  });

  it('refuses a missing or repeated header', () => {
    expect(isValidHost({}, 'host')).toBe(false);
    expect(isValidHost({ host: ['localhost', 'evil.test'] }, 'host')).toBe(false);
  });

  it('allows file: and *-extension: origins without parsing them', () => {
    expect(isValidHost({ origin: 'file://' }, 'origin')).toBe(true);
    expect(isValidHost({ origin: 'chrome-extension://abc' }, 'origin')).toBe(true);
    expect(isValidHost({ origin: 'moz-extension://abc' }, 'origin')).toBe(true);
    expect(isValidHost({ origin: 'null' }, 'origin')).toBe(false);
  });

  it('without validateHost, allows only explicitly allowed hosts', () => {
    expect(isValidHost({ host: 'localhost' }, 'host', {}, false)).toBe(false);
    expect(
      isValidHost({ host: 'a.example.com' }, 'host', { allowedHosts: ['.example.com'] }, false),
    ).toBe(true);
  });
});

describe('isSameOrigin (CVE-2025-30360)', () => {
  it('refuses a page from another IP reading our socket', () => {
    expect(isSameOrigin({ host: '127.0.0.1:8080', origin: 'http://192.0.2.10:8080' })).toBe(false);
    expect(
      checkConnectionHeaders({ host: '127.0.0.1:8080', origin: 'http://192.0.2.10:8080' }),
    ).toBe('cross-origin');
  });

  it('accepts the same host, any port or scheme', () => {
    expect(isSameOrigin({ host: '127.0.0.1:8080', origin: 'https://127.0.0.1:9999' })).toBe(true);
    expect(isSameOrigin({ host: '[::1]:8080', origin: 'http://[::1]:8080' })).toBe(true);
  });

  it('accepts an allowed origin or host', () => {
    const options = { allowedHosts: ['.example.test'] };
    expect(isSameOrigin({ host: '127.0.0.1', origin: 'http://a.example.test' }, options)).toBe(
      true,
    );
    expect(isSameOrigin({ host: 'a.example.test', origin: 'http://evil.test' }, options)).toBe(
      true,
    );
    // …but the Origin itself must still be valid for the connection.
    expect(
      checkConnectionHeaders({ host: 'a.example.test', origin: 'http://evil.test' }, options),
    ).toBe('invalid-origin');
  });

  it('refuses no Origin, unless allowedHosts is "all"', () => {
    expect(isSameOrigin({ host: 'localhost' })).toBe(false);
    expect(isSameOrigin({ host: 'localhost' }, { allowedHosts: 'all' })).toBe(true);
  });
});

describe('parsers never throw', () => {
  const hostile = [
    '',
    ' ',
    ':',
    '::::',
    '[',
    ']',
    '[]:80',
    'http://',
    'http://[',
    'http://%',
    'http://a b',
    '\u0000',
    '\ud800',
    '%00',
    'a'.repeat(100_000),
    'x:'.repeat(10_000),
    '[::1]:80:80',
    'localhost:-1',
    'javascript:alert(1)',
    'http://\u{1F600}.test',
    'ftp://127.0.0.1',
  ];
  it.each(hostile.map((value) => [value.slice(0, 30), value]))('%j', (_label, value) => {
    // Outcomes, not just "did not throw": none of these is a Host a browser would send to
    // this server, so every check refuses it (an allow-everything check fails here).
    expect(isValidHost({ host: value }, 'host')).toBe(false);
    expect(checkConnectionHeaders({ host: value, origin: value })).toBe('invalid-host');
    expect(checkHttpRequest({ host: value, ':authority': value })).toEqual({
      allowed: false,
      status: 403,
      body: 'Invalid Host header',
    });
    // As an Origin next to a good Host: refused, unless it is a local page's origin.
    expect(typeof (parseOriginHeader(value) ?? '')).toBe('string');
    expect(typeof (parseHostHeader(value) ?? '')).toBe('string');
    expect(checkConnectionHeaders({ host: 'localhost:8080', origin: value })).not.toBeUndefined();
  });

  it('strips IPv6 brackets and lowercases', () => {
    expect(parseHostHeader('[::1]:8080')).toBe('::1');
    expect(parseHostHeader('LocalHost:1')).toBe('localhost');
    expect(parseOriginHeader('http://[::1]:8080')).toBe('::1');
    expect(parseOriginHeader('null')).toBeUndefined();
  });
});
