import { describe, expect, it } from 'vitest';
import type { Configuration } from 'webpack';
import {
  createDevServerOptions,
  pickDevServerOptions,
  userConfiguredEmitOnErrors,
  userConfiguredStats,
} from './devServerOptions';

describe('optimization.emitOnErrors set by the config is kept', () => {
  it('detects an explicit value in any config and passes emitOnErrors: true', () => {
    expect(userConfiguredEmitOnErrors([{}, { optimization: {} }])).toBe(false);
    expect(userConfiguredEmitOnErrors([{ optimization: { emitOnErrors: true } }])).toBe(true);
    expect(userConfiguredEmitOnErrors([{}, { optimization: { emitOnErrors: false } }])).toBe(true);
    expect(
      createDevServerOptions({}, {}, { quietStats: false, keepEmitOnErrors: true }).emitOnErrors,
    ).toBe(true);
    expect(createDevServerOptions({}, {}, { quietStats: false }).emitOnErrors).toBeUndefined();
  });
});

const quiet = { quietStats: true };

describe('createDevServerOptions: flags override the config devServer', () => {
  const config = {
    port: 8080,
    host: 'localhost',
    hot: true,
    liveReload: true,
    open: false,
    webSocketServer: { type: 'ws' as const, options: { path: '/hmr' } },
    client: { overlay: { errors: true, warnings: false }, logging: 'warn' as const },
    static: ['public'],
    compress: false,
  };

  it('keeps every config value when no flag is given', () => {
    expect(createDevServerOptions(config, {}, { quietStats: false })).toEqual({
      ...config,
      setupExitSignals: false,
    });
  });

  it('puts each given flag over the config value', () => {
    const options = createDevServerOptions(
      config,
      {
        port: 3000,
        host: '0.0.0.0',
        hot: 'only',
        liveReload: false,
        keepState: false,
        open: ['/docs'],
        clientOverlay: false,
        static: ['/abs/assets'],
      },
      quiet,
    );
    expect(options).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      hot: 'only',
      liveReload: false,
      keepState: false,
      open: ['/docs'],
      client: { overlay: false, logging: 'warn' },
      static: ['/abs/assets'],
      compress: false,
    });
  });

  it('--no-hot, --open, --no-static, --port auto', () => {
    expect(
      createDevServerOptions(
        config,
        { hot: false, open: true, static: false, port: 'auto' },
        quiet,
      ),
    ).toMatchObject({ hot: false, open: true, static: false, port: 'auto' });
  });

  it('--web-socket-server changes the type and keeps the configured path', () => {
    expect(
      createDevServerOptions(config, { webSocketServer: 'sockjs' }, quiet).webSocketServer,
    ).toEqual({ type: 'sockjs', options: { path: '/hmr' } });
    expect(createDevServerOptions({}, { webSocketServer: 'sockjs' }, quiet).webSocketServer).toBe(
      'sockjs',
    );
    expect(createDevServerOptions(config, { webSocketServer: false }, quiet).webSocketServer).toBe(
      false,
    );
  });

  it('--client-overlay turns a client: false config into a client with the overlay', () => {
    expect(
      createDevServerOptions({ client: false }, { clientOverlay: true }, quiet).client,
    ).toEqual({ overlay: true });
  });

  it('quiets the middleware stats print (keeping other devMiddleware options)', () => {
    expect(
      createDevServerOptions({ devMiddleware: { publicPath: '/app/' } }, {}, quiet).devMiddleware,
    ).toEqual({ publicPath: '/app/', stats: false });
    expect(
      createDevServerOptions({ devMiddleware: { publicPath: '/app/' } }, {}, { quietStats: false })
        .devMiddleware,
    ).toEqual({ publicPath: '/app/' });
  });

  it('always leaves signals to the CLI and never mutates the config', () => {
    const base = { setupExitSignals: true, devMiddleware: {} };
    expect(createDevServerOptions(base, { port: 1 }, quiet).setupExitSignals).toBe(false);
    expect(base).toEqual({ setupExitSignals: true, devMiddleware: {} });
  });
});

describe('pickDevServerOptions', () => {
  it('takes the first config with a devServer object', () => {
    const devServer = { port: 1 };
    // webpack's own Configuration type has no devServer (webpack-dev-server's types add it).
    const configs = [{ name: 'a' }, { devServer }, { devServer: { port: 2 } }] as Configuration[];
    expect(pickDevServerOptions(configs)).toBe(devServer);
    expect(pickDevServerOptions([{ name: 'a' }])).toEqual({});
  });
});

describe('userConfiguredStats', () => {
  it('is true for a config stats or devMiddleware.stats, else false', () => {
    expect(userConfiguredStats([{}], {})).toBe(false);
    expect(userConfiguredStats([{}, { stats: 'minimal' }], {})).toBe(true);
    expect(userConfiguredStats([{}], { devMiddleware: { stats: 'verbose' } })).toBe(true);
    expect(userConfiguredStats([{}], { devMiddleware: { stats: false } })).toBe(true);
  });
});
