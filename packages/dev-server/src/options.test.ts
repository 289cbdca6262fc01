import { describe, expect, it } from 'vitest';
import { DevServerError } from './errors';
import { type NormalizedClient, normalizeOptions } from './options';

const cwd = '/app';

describe('normalizeOptions', () => {
  it('fills in webpack-dev-server 5 defaults', () => {
    expect(normalizeOptions(undefined, { cwd })).toEqual({
      allowedHosts: 'auto',
      client: {
        logging: 'info',
        overlay: true,
        reconnect: 10,
        webSocketTransport: 'ws',
        webSocketURL: {},
      },
      compress: true,
      devMiddleware: {},
      emitOnErrors: false,
      historyApiFallback: false,
      hot: true,
      hotPush: { maxBytes: 1024 * 1024 },
      keepState: true,
      liveReload: true,
      open: [],
      proxy: [],
      server: { type: 'http', options: {} },
      setupExitSignals: true,
      static: [
        {
          directory: '/app/public',
          publicPath: ['/'],
          staticOptions: {},
          serveIndex: true,
          watch: true,
        },
      ],
      watchFiles: [],
      webSocketServer: { type: 'ws', options: { path: '/ws' } },
    });
  });

  it('normalizes the client options as webpack-dev-server does', () => {
    const { client } = normalizeOptions(
      {
        client: {
          reconnect: true,
          overlay: { warnings: false, runtimeErrors: (e: unknown) => Boolean(e) } as never,
          progress: 'linear',
          webSocketURL: 'ws://example.test:9999/custom',
        },
        webSocketServer: 'sockjs',
      },
      { cwd, infrastructureLogging: 'none' },
    );
    expect(client).toMatchObject({
      logging: 'none',
      reconnect: Number.POSITIVE_INFINITY,
      progress: 'linear',
      webSocketTransport: 'sockjs',
      webSocketURL: {
        protocol: 'ws:',
        username: '',
        password: '',
        hostname: 'example.test',
        port: '9999',
        pathname: '/custom',
      },
    });
    expect((client as NormalizedClient).overlay).toMatchObject({ errors: true, warnings: false });
    expect(client && typeof client.overlay === 'object' && client.overlay.runtimeErrors).toBe(
      encodeURIComponent(((e: unknown) => Boolean(e)).toString()),
    );
    expect(normalizeOptions({ client: { reconnect: false } }).client).toMatchObject({
      reconnect: 0,
    });
    expect(normalizeOptions({ client: false }).client).toBe(false);
  });

  it.each([
    [{ allowedHosts: 'example.com' }, ['example.com']],
    [{ allowedHosts: ['.example.com', 'all'] }, 'all'],
    [{ allowedHosts: 'all' }, 'all'],
  ] as const)('allowedHosts %j', (options, expected) => {
    expect(normalizeOptions(options as never).allowedHosts).toEqual(expected);
  });

  it('reads static, server, port, open and webSocketServer shapes', () => {
    const options = normalizeOptions(
      {
        static: ['assets', { directory: '/srv/www', publicPath: '/static', watch: false }],
        server: { type: 'https', options: { key: 'k', cert: 'c' } },
        port: '8081',
        open: [true, { target: ['/a', '/b'] }],
        webSocketServer: { type: 'ws', options: { path: '/hmr' } },
        historyApiFallback: true,
        hot: 'only',
      },
      { cwd },
    );
    expect(options.static.map((s) => [s.directory, s.publicPath, s.watch])).toEqual([
      ['/app/assets', ['/'], true],
      ['/srv/www', ['/static'], false],
    ]);
    expect(options.server).toEqual({ type: 'https', options: { key: 'k', cert: 'c' } });
    expect(options.port).toBe(8081);
    expect(options.open).toEqual([{ target: '<url>' }, { target: '/a' }, { target: '/b' }]);
    expect(options.webSocketServer).toEqual({ type: 'ws', options: { path: '/hmr' } });
    expect(options.historyApiFallback).toEqual({});
    expect(options.hot).toBe('only');
    expect(normalizeOptions({ static: false }).static).toEqual([]);
    expect(normalizeOptions({ webSocketServer: false }).webSocketServer).toBe(false);
    expect(normalizeOptions({ port: 'auto' }).port).toBe('auto');
  });

  it.each([
    [{ hot: 'yes' }, 'devServer.hot should be a boolean or "only"'],
    [{ port: 70000 }, 'devServer.port should be a port number'],
    [{ port: 'eighty' }, 'devServer.port should be a port number'],
    [{ client: { logging: 'loud' } }, 'devServer.client.logging should be one of'],
    [{ client: { reconnect: -1 } }, 'devServer.client.reconnect'],
    [{ client: { overlay: 'yes' } }, 'devServer.client.overlay'],
    [{ client: { webSocketURL: 'not a url' } }, 'devServer.client.webSocketURL'],
    [{ allowedHosts: 5 }, 'devServer.allowedHosts'],
    [{ proxy: { '/api': 'http://localhost:3000' } }, 'devServer.proxy should be a list'],
    [{ static: 'https://cdn.example.com' }, 'devServer.static should be a folder, not a URL'],
    [{ webSocketServer: { options: { path: 'ws' } } }, 'devServer.webSocketServer.options.path'],
    [{ server: { type: 'ftp' } }, 'devServer.server.type'],
    [{ compress: 'yes' }, 'devServer.compress should be a boolean'],
    [{ keepState: 'no' }, 'devServer.keepState should be a boolean, got "no"'],
    [{ setupMiddlewares: [] }, 'devServer.setupMiddlewares should be a function'],
  ])('refuses %j with a message naming the option', (options, message) => {
    expect(() => normalizeOptions(options as never)).toThrowError(DevServerError);
    expect(() => normalizeOptions(options as never)).toThrow(message);
  });

  it('names unknown and unsupported options', () => {
    expect(() => normalizeOptions({ hott: true } as never)).toThrow(
      'Unknown option: devServer.hott',
    );
    expect(() => normalizeOptions({ client: { overlays: true } } as never)).toThrow(
      'Unknown option: devServer.client.overlays',
    );
    expect(() => normalizeOptions({ bonjour: true } as never)).toThrow(
      'Unsupported option: devServer.bonjour',
    );
    expect(() => normalizeOptions({ server: 'spdy' } as never)).toThrow('Unsupported option');
  });

  it.each([
    // [options, code, option path, message]
    [{ hott: true }, 'UNKNOWN_OPTION', 'devServer.hott', 'Unknown option: devServer.hott'],
    [{ port: 'eighty' }, 'INVALID_OPTION', 'devServer.port', 'should be a port number'],
    [
      { devMiddleware: { foo: 1 } },
      'UNKNOWN_OPTION',
      'devServer.devMiddleware.foo',
      'Invalid options: devServer.devMiddleware.foo: unknown option (known options: publicPath,',
    ],
    [
      { devMiddleware: { etag: true } },
      'INVALID_OPTION',
      'devServer.devMiddleware.etag',
      'devServer.devMiddleware.etag: expected "weak" or "strong", got a boolean.',
    ],
    [
      { devMiddleware: { headers: [{ key: 'a' }] } },
      'INVALID_OPTION',
      'devServer.devMiddleware.headers[0]',
      'devServer.devMiddleware.headers[0]: expected',
    ],
    [
      { static: [{ directory: 'public', staticOptions: { foo: 1 } }] },
      'UNSUPPORTED_OPTION',
      'devServer.static[0].staticOptions.foo',
      'Unsupported option: devServer.static[0].staticOptions.foo (supported: dotfiles,',
    ],
    [
      { static: { staticOptions: { maxAge: 'soon' } } },
      'INVALID_OPTION',
      'devServer.static.staticOptions.maxAge',
      'should be milliseconds or a duration',
    ],
    [
      { static: { staticOptions: { dotfiles: 'show' } } },
      'INVALID_OPTION',
      'devServer.static.staticOptions.dotfiles',
      '"allow", "deny" or "ignore"',
    ],
    [
      { static: { staticOptions: { redirect: false } } },
      'UNSUPPORTED_OPTION',
      'devServer.static.staticOptions.redirect',
      'other than its default',
    ],
    [
      { proxy: [{ context: 5, target: 'http://127.0.0.1:1' }] },
      'INVALID_OPTION',
      'devServer.proxy[0].context',
      'a path, a list of paths or a function',
    ],
    [
      { client: { webSocketTransport: './no-such-transport.js' } },
      'INVALID_OPTION',
      'devServer.client.webSocketTransport',
      'cannot resolve the module "./no-such-transport.js"',
    ],
  ])('%j: code, option path and message, at once', (options, code, option, message) => {
    let error: unknown;
    try {
      normalizeOptions(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DevServerError);
    expect(error).toMatchObject({ code, option });
    expect((error as Error).message).toContain(message);
  });
});
