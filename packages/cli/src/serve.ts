import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DevServer,
  type DevServerOptions,
  getChildCompilers,
  STATUS_LOGGER_NAME,
} from '@hmrkit/dev-server';
import type { Compiler, Configuration, MultiCompiler, MultiStats, Stats } from 'webpack';
import type { CompilerName, ServeArgs } from './args';
import {
  applyCliToConfigs,
  createConfigArgv,
  findConfigFile,
  importConfigFile,
  type LoadConfigOptions,
  pickCompilerName,
  resolveConfigExport,
} from './config';
import {
  createDevServerOptions,
  pickDevServerOptions,
  userConfiguredEmitOnErrors,
  userConfiguredStats,
} from './devServerOptions';
import { configError, runtimeError } from './errors';
import {
  childStatsOf,
  createColors,
  formatBuildLine,
  formatProblems,
  formatUrls,
  type OutputStream,
  type ServerUrls,
  shouldUseColor,
  summarizeBuild,
} from './output';

/** Where the CLI reads and writes; defaults to the process's. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  cwd: string;
  env: Record<string, string | undefined>;
}

/** A running `hmrkit serve`. */
export interface ServeHandle {
  devServer: DevServer;
  compiler: Compiler | MultiCompiler;
  /** The webpack configurations the compiler was created from (after flags). */
  configs: Configuration[];
  /** The options handed to `new DevServer()` (config `devServer` + flags). */
  options: DevServerOptions;
  config: string | undefined;
  urls: ServerUrls;
  /** Stops the dev server (sockets, watchers, compiler, HTTP server). Idempotent. */
  close(): Promise<void>;
  /** Resolves with the exit code once the server is stopped: 0 after close(), 1 after a crash. */
  closed: Promise<number>;
}

export type StartServeOptions = LoadConfigOptions;

export function createProcessIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** What the CLI calls to create a compiler: webpack's or Rspack's function (the same shape). */
type CompilerFactory = (
  options: Configuration | Configuration[],
) => Compiler | MultiCompiler | null;

const PACKAGES: Record<CompilerName, string> = { webpack: 'webpack', rspack: '@rspack/core' };

/**
 * The project's webpack or @rspack/core (resolved from its folder, as webpack-cli does), so the
 * compiler is the same instance the config's plugins were written against; ours only when the
 * project has none of its own. Rspack is never bundled: a project without it gets a config
 * error that says what to install.
 */
async function loadCompilerFactory(name: CompilerName, cwd: string): Promise<CompilerFactory> {
  const specifier = PACKAGES[name];
  let path: string | undefined;
  try {
    path = createRequire(join(cwd, 'noop.js')).resolve(specifier);
  } catch {
    path = undefined;
  }
  let module: Record<string, unknown> & { default?: unknown };
  try {
    module = (await import(path ? pathToFileURL(path).href : specifier)) as typeof module;
  } catch (error) {
    throw configError(
      `hmrkit serve builds with ${name === 'rspack' ? 'Rspack' : 'webpack'} here, but cannot load "${specifier}" from ${cwd}: install it (npm install --save-dev ${specifier}).`,
      error,
    );
  }
  // @rspack/core exports `rspack` (also as default); webpack's CommonJS function is the default.
  const factory =
    name === 'rspack' ? (module.rspack ?? module.default) : (module.default ?? module);
  if (typeof factory !== 'function') {
    throw configError(`"${specifier}" (${path ?? "hmrkit's own"}) exports no compiler function.`);
  }
  return factory as CompilerFactory;
}

const DEFAULT_ARGS: ServeArgs = { entries: [], env: { WEBPACK_SERVE: true }, debug: false };

/** The dev server's own "Project is running at" block repeats ours, so it is filtered out. */
function silenceUrlBlock(compiler: Compiler | MultiCompiler): void {
  for (const child of getChildCompilers(compiler)) {
    child.hooks.infrastructureLog.tap('hmrkit-cli', (name) =>
      name === STATUS_LOGGER_NAME ? true : undefined,
    );
  }
}

/** The static folders that exist (the default `public` is listed only when it is there). */
function staticDirsOf(devServer: DevServer): string[] {
  const folders = (devServer.options as { static?: Array<{ directory?: unknown }> }).static ?? [];
  return folders.flatMap((item) =>
    typeof item.directory === 'string' && existsSync(item.directory) ? [item.directory] : [],
  );
}

/**
 * Loads the config, applies the flags, creates the webpack compiler and starts a DevServer.
 * Resolves once the server listens (the first build may still be running) and prints the URL
 * block, then one status line per build. Throws `CliError`/`DevServerError`/webpack's
 * `ValidationError`; `getExitCode()` maps them to exit codes.
 */
export async function startServe(
  partialArgs: Partial<ServeArgs> = {},
  partialIo: Partial<CliIO> = {},
  startOptions: StartServeOptions = {},
): Promise<ServeHandle> {
  const args: ServeArgs = {
    ...DEFAULT_ARGS,
    ...partialArgs,
    env: { ...DEFAULT_ARGS.env, ...partialArgs.env },
  };
  const io: CliIO = { ...createProcessIO(), ...partialIo };
  const useColor = shouldUseColor(args.color, io.env, io.stdout);
  const colors = createColors(useColor);

  // As `webpack serve` (webpack-cli, webpack-dev-server): configs read it to tell serve from build.
  process.env.WEBPACK_SERVE ??= 'true';
  const configFile = findConfigFile(io.cwd, args.config);
  const exported = configFile ? await importConfigFile(configFile, startOptions) : {};
  const resolved = await resolveConfigExport(
    exported,
    createConfigArgv(args, configFile),
    configFile,
  );
  const isArray = Array.isArray(resolved);
  const configs = applyCliToConfigs(isArray ? resolved : [resolved], args, io.env.NODE_ENV).map(
    // webpack resolves entries against `context`, which defaults to process.cwd().
    (config) => (config.context === undefined ? { ...config, context: io.cwd } : config),
  );

  const baseOptions = pickDevServerOptions(configs);
  const userStats = userConfiguredStats(configs, baseOptions);
  const options = createDevServerOptions(
    baseOptions,
    {
      ...args,
      static: Array.isArray(args.static)
        ? args.static.map((dir) => resolve(io.cwd, dir))
        : args.static,
    },
    { quietStats: !userStats, keepEmitOnErrors: userConfiguredEmitOnErrors(configs) },
  );
  // The dev server resolves its default static folder against process.cwd(); an embedding
  // caller may run the CLI for another folder.
  if ((options.static === undefined || options.static === true) && io.cwd !== process.cwd()) {
    options.static = join(io.cwd, 'public');
  }

  const createCompiler = await loadCompilerFactory(
    pickCompilerName(args.compiler, configFile),
    io.cwd,
  );
  const compiler = createCompiler(isArray ? configs : (configs[0] as Configuration));
  if (!compiler) throw runtimeError('The compiler function returned no compiler.');
  silenceUrlBlock(compiler);

  // Build lines wait for the URL block, so the first screen reads top to bottom.
  let listening = false;
  const pending: string[] = [];
  const print = (text: string): void => {
    if (listening) io.stdout.write(text);
    else pending.push(text);
  };
  let previousChildren: Stats[] = [];
  const onDone = (stats: Stats | MultiStats): void => {
    const summary = summarizeBuild(stats, previousChildren);
    previousChildren = childStatsOf(stats);
    let text = `${formatBuildLine(summary, colors)}\n`;
    // With the user's own stats settings the middleware prints them; ours would repeat them.
    if (!userStats && (summary.errors > 0 || summary.warnings > 0)) {
      const problems = formatProblems(stats, useColor);
      // A blank line after webpack's text separates it from the next status line.
      if (problems) text += `${problems}\n\n`;
    }
    print(text);
  };
  // Two taps only because Compiler and MultiCompiler type their done hooks differently.
  if ('compilers' in compiler) {
    compiler.hooks.done.tap('hmrkit-cli', (stats) => onDone(stats));
  } else {
    compiler.hooks.done.tap('hmrkit-cli', (stats) => onDone(stats));
  }

  let devServer: DevServer;
  try {
    devServer = new DevServer(options, compiler);
  } catch (error) {
    await closeCompiler(compiler);
    throw error;
  }
  try {
    await devServer.start();
  } catch (error) {
    await devServer.stop().catch(() => undefined);
    await closeCompiler(compiler);
    throw error;
  }

  // DevServer.start() resolved, so it listens and knows its URLs.
  const urls: ServerUrls = devServer.getUrls();
  io.stdout.write(formatUrls(urls, colors, staticDirsOf(devServer)));
  listening = true;
  for (const text of pending.splice(0)) io.stdout.write(text);

  let settle: (code: number) => void = () => {};
  const closed = new Promise<number>((resolvePromise) => {
    settle = resolvePromise;
  });
  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> => {
    const current =
      stopping ??
      devServer
        .stop()
        // Closing the compiler too lets webpack persist a filesystem cache.
        .then(() => closeCompiler(compiler))
        .then(
          () => settle(code),
          (error: unknown) => {
            settle(1);
            throw error;
          },
        );
    stopping = current;
    return current;
  };
  // A listen socket that fails later (rare, but e.g. EMFILE) ends the serve as a runtime error.
  devServer.server?.on('error', (error: Error) => {
    io.stderr.write(`${colors.red('✗')} server error: ${error.message}\n`);
    stop(1).catch(() => undefined);
  });

  return {
    devServer,
    compiler,
    configs,
    options,
    config: configFile,
    urls,
    close: () => stop(0),
    closed,
  };
}

function closeCompiler(compiler: Compiler | MultiCompiler): Promise<void> {
  return new Promise((resolvePromise) => {
    compiler.close(() => resolvePromise());
  });
}
