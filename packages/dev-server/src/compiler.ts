import { dirname } from 'node:path';
import { getChildCompilers } from '@hmrkit/memfs-middleware';
import { type ClientEntryOptions, encodeClientQuery } from '@hmrkit/protocol';
import type { Compiler, MultiCompiler } from 'webpack';
import { DevServerError, missingPeer } from './errors';
import type { NormalizedOptions } from './options';
import { resolveOptionalPeer, resolveOwn } from './peers';
import { createFingerprint, keepRecords, resolveRecordsPath } from './records';

const PLUGIN_NAME = 'hmrkit-dev-server';

// The module id the client imports its transport from (see @hmrkit/client's README).
const TRANSPORT_REQUEST = /^@hmrkit\/client\/transport$/;

// Tools written for webpack-dev-server's client read its live socket from this
// module (@pmmmwh/react-refresh-webpack-plugin's default socket integration).
// It is replaced by @hmrkit/client's stand-in, which relays our client's
// frames: before resolving, so it wins over an installed webpack-dev-server and
// needs none.
const WDS_SOCKET_REQUEST = /^webpack-dev-server\/client\/socket(?:\.js)?$/;

// webpack-dev-server 5's list: a compiler with one of these targets (or none)
// runs in a page, so it gets the browser client.
const WEB_TARGETS = new Set<unknown>([
  'web',
  'webworker',
  'electron-preload',
  'electron-renderer',
  'nwjs',
  'node-webkit',
  undefined,
  null,
]);

/** Whether a compiler builds for a browser, by webpack-dev-server 5's rules. */
export function isWebTarget(compiler: Compiler): boolean {
  const platform = (compiler as Compiler & { platform?: { web?: boolean | null } }).platform;
  if (platform?.web) return true;
  const { options } = compiler;
  if (options.externalsPresets?.web) return true;
  if (options.resolve?.conditionNames?.includes('browser')) return true;
  const targets = Array.isArray(options.target) ? options.target : [options.target];
  return targets.some((target) => WEB_TARGETS.has(target));
}

/**
 * The options a compiler was built with that the dev-server reads: the child
 * with `devServer` options in a MultiCompiler, else the first web one, else
 * the first (webpack-dev-server's `getCompilerOptions`).
 */
export function getPrimaryCompiler(compiler: Compiler | MultiCompiler): Compiler {
  const compilers = getChildCompilers(compiler);
  const first = compilers[0];
  if (!first) throw new DevServerError('INVALID_OPTION', 'The MultiCompiler has no compilers.');
  if (compilers.length === 1) return first;
  return (
    compilers.find((child) => child.options.devServer) ??
    compilers.find((child) => isWebTarget(child)) ??
    first
  );
}

/** Whether a compiler is Rspack's (it names itself `compiler.rspack` next to `compiler.webpack`). */
export function isRspack(compiler: Compiler | undefined): boolean {
  return compiler !== undefined && 'rspack' in compiler;
}

/** Where a package of ours lives, resolved from this package (users need not depend on it). */
function resolvePackageDir(name: string): string {
  return dirname(resolveOwn(`${name}/package.json`));
}

/** What the server knows once it has a port and host, for the client entry's query. */
export interface EntryContext {
  /** The host the server listens on, after `local-ip` resolution. */
  host?: string;
  /** The port it listens on. */
  port: number;
  /** Whether it serves TLS. */
  secure: boolean;
}

/**
 * The client's options, in webpack-dev-server 5's precedence:
 * `client.webSocketURL` first, then the server's own host, port and socket path.
 */
export function createClientEntryOptions(
  options: NormalizedOptions,
  context: EntryContext,
): ClientEntryOptions | undefined {
  const { client, webSocketServer } = options;
  if (!client || !webSocketServer) return undefined;
  const url = client.webSocketURL;
  const entry: ClientEntryOptions = {
    protocol: url.protocol ?? (context.secure ? 'wss:' : 'ws:'),
  };
  if (url.username !== undefined) entry.username = url.username;
  if (url.password !== undefined) entry.password = url.password;
  // `webSocketServer.options.host`/`.port`: the socket's own listener (ws only; sockjs cannot).
  const own: { host?: string; port?: number } =
    webSocketServer.type === 'sockjs' ? {} : webSocketServer.options;
  entry.hostname = url.hostname || own.host || context.host || '0.0.0.0';
  entry.port = url.port !== undefined && url.port !== '' ? url.port : (own.port ?? context.port);
  entry.pathname = url.pathname || webSocketServer.options.path;
  entry.logging = client.logging;
  if (client.progress !== undefined) entry.progress = client.progress;
  entry.overlay = client.overlay;
  entry.reconnect = client.reconnect;
  entry.hot = options.hot;
  entry.liveReload = options.liveReload;
  return entry;
}

/**
 * The module requests the dev-server adds in front of every entry: the browser
 * client for a web compiler, and in hot mode the HMR runtime for every
 * compiler (node and electron-main too, as webpack-dev-server 5 adds its hot
 * entry to them: their bundles get `module.hot` and the runtime's update
 * signals, without the browser client).
 */
export function getAdditionalEntries(
  options: NormalizedOptions,
  context: EntryContext,
  web = true,
): string[] {
  const entries: string[] = [];
  const client = web ? createClientEntryOptions(options, context) : undefined;
  if (client) entries.push(`${resolvePackageDir('@hmrkit/client')}?${encodeClientQuery(client)}`);
  if (options.hot) {
    const query = new URLSearchParams();
    if (options.hot === 'only') query.set('mode', 'only');
    if (options.client) query.set('logging', options.client.logging);
    const search = query.toString();
    entries.push(`${resolvePackageDir('@hmrkit/runtime')}${search ? `?${search}` : ''}`);
  }
  return entries;
}

/**
 * Module replacements that select the client transport: none for the built-in
 * WebSocket; for sockjs, our sockjs transport and `sockjs-client` from wherever
 * it is installed (the user's project, with pnpm, may be the only place).
 */
export function resolveClientTransport(
  options: NormalizedOptions,
  context: string,
): Array<[RegExp, string]> {
  if (!options.client) return [];
  const transport = options.client.webSocketTransport;
  if (transport === 'ws') return [];
  if (transport === 'sockjs') {
    const sockjsClient = resolveOptionalPeer('sockjs-client', context);
    if (!sockjsClient) {
      throw missingPeer(
        'client.webSocketTransport',
        'The sockjs client transport (devServer.client.webSocketTransport "sockjs")',
        'sockjs-client',
      );
    }
    return [
      [TRANSPORT_REQUEST, resolveOwn('@hmrkit/client/transports/sockjs')],
      [/^sockjs-client$/, sockjsClient],
    ];
  }
  const custom = resolveOptionalPeer(transport, context);
  if (!custom) {
    throw new DevServerError(
      'INVALID_OPTION',
      `Invalid options: devServer.client.webSocketTransport: cannot resolve the module "${transport}" from ${context}.`,
      { option: 'devServer.client.webSocketTransport' },
    );
  }
  return [[TRANSPORT_REQUEST, custom]];
}

export interface SetupContext extends EntryContext {
  logger: { info(message: string): void; warn(message: string): void };
  /** Whether the user's config set `optimization.emitOnErrors` themselves (it is then left alone). */
  emitOnErrors?: boolean;
  onProgress?: (fraction: number, message: string, addInfo?: string, pluginName?: string) => void;
}

/**
 * Prepares the compilers for HMR, as webpack-dev-server's `initialize()` does:
 * client + runtime entries, the transport, `HotModuleReplacementPlugin` once,
 * and `ProgressPlugin` when the browser shows progress. Also, in hot mode,
 * `optimization.emitOnErrors: false`: a failed build is then not emitted, so
 * the update after fixing an error is computed against the last good build
 * and hot-applies (webpack-dev-server reloads the page there, losing state).
 * With `keepState`, the HMR records are kept on disk across restarts (records.ts).
 */
export function setupCompilers(
  compiler: Compiler | MultiCompiler,
  options: NormalizedOptions,
  context: SetupContext,
): void {
  // Without a socket server nothing could talk to a client or trigger an
  // update: webpack-dev-server then adds no entries and no HMR plugin.
  if (!options.webSocketServer) return;
  const children = getChildCompilers(compiler);
  for (const [index, child] of children.entries()) {
    if (child.options.devServer === false) continue;
    const { webpack } = child;
    const web = isWebTarget(child);
    // What the dev-server puts into the bundle: part of the records' fingerprint.
    const added: unknown[] = [options.hot];
    for (const entry of getAdditionalEntries(options, context, web)) {
      new webpack.EntryPlugin(child.context, entry, { name: undefined }).apply(child);
      added.push(entry);
    }
    if (web) {
      const replacements = [
        ...resolveClientTransport(options, child.context),
        [WDS_SOCKET_REQUEST, resolveOwn('@hmrkit/client/wds-socket')] as [RegExp, string],
      ];
      for (const [request, path] of replacements) {
        new webpack.NormalModuleReplacementPlugin(request, path).apply(child);
        added.push(request, path);
      }
    }
    if (options.hot) {
      const present = child.options.plugins.some(
        (plugin) => plugin?.constructor?.name === 'HotModuleReplacementPlugin',
      );
      if (present) {
        context.logger.warn(
          '"hot: true" applies HotModuleReplacementPlugin for you; remove it from your webpack config.',
        );
      } else {
        new webpack.HotModuleReplacementPlugin().apply(child);
      }
      if (context.emitOnErrors !== true && child.options.optimization.emitOnErrors !== false) {
        child.options.optimization.emitOnErrors = false;
        new webpack.NoEmitOnErrorsPlugin().apply(child);
      }
      // Rspack keeps its HMR state in native code, with no records hooks (its
      // records getters throw): a restart reloads its pages, as before.
      if (options.keepState && !isRspack(child)) {
        keepRecords(child, {
          path: resolveRecordsPath(children, index),
          fingerprint: createFingerprint(child, added),
          logger: context.logger,
        });
      }
    }
  }
  const progress = options.client === false ? undefined : options.client.progress;
  if (progress && context.onProgress) {
    const onProgress = context.onProgress;
    const { ProgressPlugin } = children[0]?.webpack ?? {};
    if (ProgressPlugin) {
      // Positional, as webpack-dev-server reads them: (fraction, message, addInfo, pluginName).
      // Rspack passes an object (`{ builtModules }`) where webpack passes strings: only
      // strings are forwarded, so the frame never reads "build modules ([object Object])".
      const handler = (
        fraction: number,
        message: string,
        addInfo?: unknown,
        pluginName?: unknown,
      ) => {
        onProgress(
          fraction,
          message,
          typeof addInfo === 'string' ? addInfo : undefined,
          typeof pluginName === 'string' ? pluginName : undefined,
        );
      };
      // webpack's ProgressPlugin sums up a MultiCompiler itself; Rspack's is a native plugin
      // that only applies to a single Compiler (a MultiCompiler has no native side).
      const targets = 'compilers' in compiler && isRspack(children[0]) ? children : [compiler];
      for (const target of targets) {
        new ProgressPlugin(handler as ConstructorParameters<typeof ProgressPlugin>[0]).apply(
          target as Compiler,
        );
      }
    }
  }
}

export { PLUGIN_NAME };
