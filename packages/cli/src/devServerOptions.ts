import type { DevServerOptions } from '@hmrkit/dev-server';
import type { Configuration } from 'webpack';
import type { ServeArgs } from './args';

type FlagArgs = Pick<
  ServeArgs,
  | 'port'
  | 'host'
  | 'hot'
  | 'liveReload'
  | 'keepState'
  | 'open'
  | 'webSocketServer'
  | 'clientOverlay'
  | 'static'
>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `devServer` options of a (multi) config: the first config that has a `devServer` object,
 * as webpack-dev-server picks one options object for all compilers.
 */
export function pickDevServerOptions(configs: readonly Configuration[]): DevServerOptions {
  for (const config of configs) {
    const devServer = (config as { devServer?: unknown }).devServer;
    if (isRecord(devServer)) return devServer as DevServerOptions;
  }
  return {};
}

/** True when the user chose how webpack prints stats (config `stats` or `devMiddleware.stats`). */
export function userConfiguredStats(
  configs: readonly Configuration[],
  options: DevServerOptions,
): boolean {
  return (
    configs.some((config) => config.stats !== undefined) ||
    (isRecord(options.devMiddleware) && options.devMiddleware.stats !== undefined)
  );
}

/**
 * True when a config sets webpack's `optimization.emitOnErrors` itself. The dev server turns it
 * off in hot mode (so a fixed syntax error hot-applies); a config that chose a value keeps it.
 */
export function userConfiguredEmitOnErrors(configs: readonly Configuration[]): boolean {
  return configs.some((config) => typeof config.optimization?.emitOnErrors === 'boolean');
}

/**
 * The options handed to `new DevServer()`: the config's `devServer` with the flags on top.
 * The middleware's full stats print is turned off unless the user configured stats (the CLI
 * prints one line per build instead), and `setupExitSignals` is off because the CLI owns
 * Ctrl-C (so the dev server never calls `process.exit` itself).
 */
export function createDevServerOptions(
  base: DevServerOptions,
  flags: FlagArgs,
  { quietStats, keepEmitOnErrors = false }: { quietStats: boolean; keepEmitOnErrors?: boolean },
): DevServerOptions {
  const options: DevServerOptions = { ...base };
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.hot !== undefined) options.hot = flags.hot;
  if (flags.liveReload !== undefined) options.liveReload = flags.liveReload;
  if (flags.keepState !== undefined) options.keepState = flags.keepState;
  if (flags.open !== undefined) options.open = flags.open;
  if (flags.webSocketServer !== undefined) {
    // A config's {type, options} keeps its options (path) when only the type changes.
    const current = base.webSocketServer;
    options.webSocketServer =
      flags.webSocketServer !== false && isRecord(current)
        ? { ...current, type: flags.webSocketServer }
        : flags.webSocketServer;
  }
  if (flags.clientOverlay !== undefined) {
    const client = isRecord(base.client) ? base.client : {};
    options.client = { ...client, overlay: flags.clientOverlay };
  }
  if (flags.static !== undefined) options.static = flags.static;
  if (quietStats) {
    const devMiddleware = isRecord(base.devMiddleware) ? base.devMiddleware : {};
    options.devMiddleware = { ...devMiddleware, stats: false };
  }
  if (keepEmitOnErrors) options.emitOnErrors = true;
  options.setupExitSignals = false;
  return options;
}
