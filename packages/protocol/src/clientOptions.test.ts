import { loadFixture } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type ClientEntryOptions,
  createSocketUrl,
  encodeClientQuery,
  parseClientQuery,
  parseClientScriptUrl,
} from './clientOptions';

interface EntryFixture {
  configs: Array<{ name: string; clientEntryQuery: string | null }>;
}

// The options each recorded config resolves to (PORT as written in the fixture).
const optionsByConfig: Record<string, ClientEntryOptions> = {
  defaults: {
    protocol: 'ws:',
    hostname: '0.0.0.0',
    port: 'PORT',
    pathname: '/ws',
    logging: 'info',
    overlay: true,
    reconnect: 10,
    hot: true,
    liveReload: true,
  },
  'host-and-port': {
    protocol: 'ws:',
    hostname: '127.0.0.1',
    port: 'PORT',
    pathname: '/ws',
    logging: 'info',
    overlay: true,
    reconnect: 10,
    hot: true,
    liveReload: true,
  },
  webSocketURL: {
    protocol: 'ws:',
    username: '',
    password: '',
    hostname: 'example.test',
    port: 9999,
    pathname: '/custom',
    logging: 'info',
    overlay: true,
    reconnect: 10,
    hot: true,
    liveReload: true,
  },
  'hot-only': {
    protocol: 'ws:',
    hostname: '127.0.0.1',
    port: 'PORT',
    pathname: '/ws',
    logging: 'info',
    overlay: true,
    reconnect: 10,
    hot: 'only',
    liveReload: true,
  },
  'progress-overlay-reconnect-logging': {
    protocol: 'ws:',
    hostname: '127.0.0.1',
    port: 'PORT',
    pathname: '/ws',
    logging: 'verbose',
    progress: true,
    overlay: { errors: true, warnings: false, runtimeErrors: false },
    reconnect: 3,
    hot: true,
    liveReload: true,
  },
  'webSocketServer-false': {},
};

describe('encodeClientQuery', () => {
  const fixture = loadFixture<EntryFixture>('wds5-client-entry');
  it.each(Object.entries(optionsByConfig))(
    '%s matches the recorded entry query',
    (name, options) => {
      const recorded = fixture.configs.find((config) => config.name === name);
      expect(recorded?.clientEntryQuery).toBeTypeOf('string');
      expect(encodeClientQuery(options)).toBe(recorded?.clientEntryQuery);
    },
  );

  it('round-trips through parseClientQuery', () => {
    const options = optionsByConfig['progress-overlay-reconnect-logging']!;
    const parsed = parseClientQuery(`?${encodeClientQuery(options)}`);
    expect(parsed).toEqual(options);
    expect(
      parseClientQuery(encodeClientQuery({ reconnect: Number.POSITIVE_INFINITY })).reconnect,
    ).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('parseClientQuery', () => {
  it('turns flags on only for "true", and keeps hot=only', () => {
    expect(parseClientQuery('hot=yes&live-reload=1&progress=false')).toEqual({
      hot: false,
      liveReload: false,
      progress: false,
    });
    expect(parseClientQuery('hot=only&progress=linear')).toEqual({
      hot: 'only',
      progress: 'linear',
    });
  });

  it('never throws on hostile input and drops what it cannot read', () => {
    expect(
      parseClientQuery('?overlay=%7Bnot-json&logging=loud&reconnect=-3&x=%E0%A4%A&&='),
    ).toEqual({});
    expect(parseClientQuery('')).toEqual({});
  });
});

// Vectors of webpack-dev-server 5's test/client/utils/createSocketURL.test.js:
// [resource query, page location, expected socket URL]. With no query the
// client reads its own script URL (`<page origin>/entry.js`).
const vectors: Array<[string | null, string, string]> = [
  ['?hostname=example.com&pathname=/ws', 'http://example.com', 'ws://example.com/ws'],
  ['?protocol=auto:', 'http://example.com', 'ws://example.com/ws'],
  ['?protocol=auto:', 'https://example.com', 'wss://example.com/ws'],
  ['?protocol=wss:', 'http://example.com', 'wss://example.com/ws'],
  ['?protocol=https:', 'https://example.com', 'wss://example.com/ws'],
  ['?protocol=http:', 'https://example.com', 'ws://example.com/ws'],
  ['?hostname=example.com', 'http://example.com', 'ws://example.com/ws'],
  [
    '?username=username&password=password',
    'http://example.com',
    'ws://username:password@example.com/ws',
  ],
  ['?hostname=example.com&port=80', 'http://example.com', 'ws://example.com:80/ws'],
  ['?port=0', 'http://example.com:8080', 'ws://example.com:8080/ws'],
  ['?port=80', 'http://example.com:8080', 'ws://example.com:80/ws'],
  ['?hostname=0.0.0.0', 'http://127.0.0.1', 'ws://127.0.0.1/ws'],
  ['?hostname=0.0.0.0', 'http://192.168.0.1', 'ws://192.168.0.1/ws'],
  ['?hostname=0.0.0.0', 'https://192.168.0.1', 'wss://192.168.0.1/ws'],
  ['?hostname=0.0.0.0', 'https://example.com', 'wss://example.com/ws'],
  ['?hostname=0.0.0.0', 'http://example.com:8080', 'ws://example.com:8080/ws'],
  ['?hostname=0.0.0.0', 'https://example.com:8080', 'wss://example.com:8080/ws'],
  ['?hostname=::', 'http://example.com:8080', 'ws://example.com:8080/ws'],
  ['?hostname=[::]', 'http://example.com:8080', 'ws://example.com:8080/ws'],
  ['?hostname=%3A%3A', 'http://example.com:8080', 'ws://example.com:8080/ws'],
  ['?hostname=%3A%3A1', 'http://example.com:8080', 'ws://[::1]:8080/ws'],
  // The reference's own example: an explicit IPv6 host on an https page dials wss.
  ['?hostname=%3A%3A1', 'https://example.com:8080', 'wss://[::1]:8080/ws'],
  ['?hostname=%3A%3A', 'https://example.com:8080', 'wss://example.com:8080/ws'],
  ['?pathname=/custom-ws', 'http://example.com', 'ws://example.com/custom-ws'],
  [
    '?protocol=wss:&username=user&password=password&hostname=localhost&port=8080&pathname=/ws',
    'http://user:password@localhost/',
    'wss://user:password@localhost:8080/ws',
  ],
  [null, 'http://example.com', 'ws://example.com/ws'],
  [null, 'https://example.com', 'wss://example.com/ws'],
  [null, 'http://example.com:8080', 'ws://example.com:8080/ws'],
  [null, 'http://example.com/foo/bar', 'ws://example.com/ws'],
  [null, 'http://user:password@localhost/', 'ws://user:password@localhost/ws'],
  [null, 'http://user@localhost:8080/', 'ws://user@localhost:8080/ws'],
  [null, 'http://user:password@localhost:8080/', 'ws://user:password@localhost:8080/ws'],
  [null, 'https://localhost:8080', 'wss://localhost:8080/ws'],
  [null, 'http://127.0.0.1', 'ws://127.0.0.1/ws'],
  [null, 'http://127.0.0.1:8080', 'ws://127.0.0.1:8080/ws'],
  [null, 'https://127.0.0.1', 'wss://127.0.0.1/ws'],
  [null, 'http://[::1]:8080/ws', 'ws://[::1]:8080/ws'],
  [null, 'https://[::1]:8080/ws', 'wss://[::1]:8080/ws'],
  [null, 'file:///home/user/project/index.html', 'ws://localhost/ws'],
  [null, 'chrome-extension://localhost/', 'ws://localhost/ws'],
  [null, 'file://localhost/', 'ws://localhost/ws'],
];

describe('createSocketUrl', () => {
  it.each(vectors)('query %s on %s dials %s', (query, page, expected) => {
    const location = new URL(page);
    const options =
      query === null
        ? parseClientScriptUrl(new URL('./entry.js', page).toString())
        : parseClientQuery(query);
    expect(createSocketUrl(options, location)).toBe(expected);
  });
});
