import { mkdir, writeFile } from 'node:fs';
import { dirname } from 'node:path';
import { isColorSupported as isColorSupportedByColorette } from 'colorette';
import { createFsFromVolume, Volume } from 'memfs';
import type { Compiler, MultiCompiler, MultiStats, Stats, Watching } from 'webpack';
import { createHotUpdateTracker, type HotUpdateTracker } from './hotUpdates';
import type { MemfsMiddlewareOptions, ServedFileSystem } from './options';

export const PLUGIN_NAME = 'hmrkit-memfs-middleware';

type MultiWatching = NonNullable<MultiCompiler['watching']>;

export type WebpackLogger = ReturnType<Compiler['getInfrastructureLogger']>;

/**
 * An Rspack `Compiler` or `MultiCompiler` (`@rspack/core`), described by a few of its members so
 * that its types need not be installed. At run time it has webpack's API, which is all the
 * middleware uses; its TypeScript types are not webpack's, hence this separate shape.
 */
export interface RspackCompilerLike {
  readonly hooks: object;
  getInfrastructureLogger(name: string): unknown;
  watch(...args: never[]): unknown;
}

/** What the entry points accept: a webpack or an Rspack compiler (single or multi). */
export type AnyCompiler = Compiler | MultiCompiler | RspackCompilerLike;

/** The two compilers share webpack's API at run time; the code is written against webpack's types. */
export function asWebpackCompiler(compiler: AnyCompiler): Compiler | MultiCompiler {
  return compiler as Compiler | MultiCompiler;
}

/** What the middleware knows, as webpack-dev-middleware's `context` does. */
export interface MiddlewareContext {
  /** `true` while the last build is done and no rebuild has started. */
  state: boolean;
  stats: Stats | MultiStats | undefined;
  /** Queued by `waitUntilValid` while the bundle is invalid. */
  callbacks: Array<(stats: Stats | MultiStats) => void>;
  readonly options: MemfsMiddlewareOptions;
  readonly compiler: Compiler | MultiCompiler;
  watching: Watching | MultiWatching | undefined;
  readonly outputFileSystem: ServedFileSystem;
  readonly logger: WebpackLogger;
  readonly hotUpdates: HotUpdateTracker;
}

export function isMultiCompiler(compiler: Compiler | MultiCompiler): compiler is MultiCompiler {
  return 'compilers' in compiler && Array.isArray(compiler.compilers);
}

/** The children of a MultiCompiler, or the compiler itself: the one unwrapper hmrkit's packages use. */
export function getChildCompilers(compiler: Compiler | MultiCompiler): Compiler[] {
  return isMultiCompiler(compiler) ? compiler.compilers : [compiler];
}

/** The children of a MultiStats, or the stats themselves. */
export function getChildStats(stats: Stats | MultiStats): Stats[] {
  return 'stats' in stats && Array.isArray(stats.stats) ? stats.stats : [stats as Stats];
}

/** Children served by the middleware: all but those configured with `devServer: false`. */
export function getServedCompilers(compiler: Compiler | MultiCompiler): Compiler[] {
  return getChildCompilers(compiler).filter((child) => child.options.devServer !== false);
}

function childPrefix(compiler: Compiler): string {
  return compiler.name ? `Child "${compiler.name}": ` : '';
}

function chooseOutputFileSystem(
  compiler: Compiler | MultiCompiler,
  options: MemfsMiddlewareOptions,
): ServedFileSystem {
  if (options.outputFileSystem) return options.outputFileSystem;
  if (options.writeToDisk === true) {
    const own = getServedCompilers(compiler)[0]?.outputFileSystem;
    if (own) return own as unknown as ServedFileSystem;
  }
  return createFsFromVolume(new Volume()) as unknown as ServedFileSystem;
}

/** Whether resolved stats options print nothing at all (every child at preset 'none'). */
function isSilent(statsOptions: unknown): boolean {
  const silent = (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    (value as { preset?: unknown }).preset === 'none' &&
    Object.keys(value).every((key) => key === 'preset' || key === 'colors');
  const children = (statsOptions as { children?: unknown[] }).children;
  return Array.isArray(children) ? children.every(silent) : silent(statsOptions);
}

/**
 * Whether stats get ANSI colours when the config does not say: webpack's own answer
 * (`webpack.cli.isColorSupported()`: NO_COLOR, FORCE_COLOR, --color, a TTY, CI) where the
 * compiler's webpack has it, else colorette's, as webpack-dev-middleware 7 does.
 */
export function isColorSupported(compiler: Compiler | MultiCompiler): boolean {
  const first = getChildCompilers(compiler)[0] as
    | { webpack?: { cli?: { isColorSupported?: () => boolean } } }
    | undefined;
  const detect = first?.webpack?.cli?.isColorSupported;
  return typeof detect === 'function' ? detect() : isColorSupportedByColorette;
}

function resolveStatsOptions(
  compiler: Compiler | MultiCompiler,
  option: MemfsMiddlewareOptions['stats'],
): unknown {
  let colors: boolean | undefined;
  const normalize = (child: Compiler): Record<string, unknown> => {
    const value = option ?? child.options.stats;
    let result: Record<string, unknown>;
    if (value === undefined || value === true) result = { preset: 'normal' };
    else if (value === false) result = { preset: 'none' };
    else if (typeof value === 'string') result = { preset: value };
    else result = { ...(value as object) };
    if (result.colors === undefined) {
      colors ??= isColorSupported(compiler);
      result.colors = colors;
    }
    return result;
  };
  return isMultiCompiler(compiler)
    ? { children: compiler.compilers.map(normalize) }
    : normalize(compiler);
}

/**
 * Wires the compiler: output fs, state hooks, writeToDisk copies and hot-update pruning.
 * `isPlugin` (webpack-dev-middleware 8's plugin mode) prints no stats.
 */
export function createContext(
  compiler: Compiler | MultiCompiler,
  options: MemfsMiddlewareOptions,
  isPlugin = false,
): MiddlewareContext {
  const logger = compiler.getInfrastructureLogger(PLUGIN_NAME);
  const outputFileSystem = chooseOutputFileSystem(compiler, options);
  const context: MiddlewareContext = {
    state: false,
    stats: undefined,
    callbacks: [],
    options,
    compiler,
    watching: undefined,
    outputFileSystem,
    logger,
    hotUpdates: createHotUpdateTracker(outputFileSystem, logger),
  };

  if (options.writeToDisk !== true || options.outputFileSystem) {
    for (const child of getServedCompilers(compiler)) {
      child.outputFileSystem = outputFileSystem as unknown as Compiler['outputFileSystem'];
    }
  }

  const invalidate = (): void => {
    if (context.state) logger.log('Compilation starting...');
    context.state = false;
    context.stats = undefined;
  };
  compiler.hooks.watchRun.tap(PLUGIN_NAME, invalidate);
  compiler.hooks.invalid.tap(PLUGIN_NAME, invalidate);

  const statsOptions = resolveStatsOptions(compiler, options.stats);
  // In plugin mode whoever runs the compiler prints the stats (webpack-dev-middleware 8).
  const printsStats = !isPlugin && !isSilent(statsOptions);
  compiler.hooks.done.tap(PLUGIN_NAME, (stats: Stats | MultiStats) => {
    context.state = true;
    context.stats = stats;
    // On the next tick: a watcher that invalidated in between must win (the callbacks then
    // wait for the following build).
    process.nextTick(() => {
      if (!context.state || context.stats !== stats) return;
      logger.log('Compilation finished');
      // stats: false / 'none' prints nothing; skip toString, which walks the compilation.
      if (printsStats) {
        const text = stats.toString(statsOptions as Parameters<Stats['toString']>[0]);
        if (text) console.log(text);
      }
      const callbacks = context.callbacks;
      context.callbacks = [];
      for (const callback of callbacks) callback(stats);
    });
  });

  for (const child of getServedCompilers(compiler)) {
    context.hotUpdates.track(child);
    if (typeof options.writeToDisk === 'function')
      tapWriteToDisk(child, options.writeToDisk, logger);
  }

  return context;
}

/**
 * The function form of writeToDisk: the served fs stays in memory and accepted assets are
 * copied to disk once, as webpack emits them.
 */
function tapWriteToDisk(
  compiler: Compiler,
  filter: (targetPath: string) => boolean,
  logger: WebpackLogger,
): void {
  compiler.hooks.assetEmitted.tapAsync(PLUGIN_NAME, (_file, info, callback) => {
    const { targetPath, content } = info;
    if (!filter(targetPath)) {
      callback();
      return;
    }
    const prefix = childPrefix(compiler);
    const dir = dirname(targetPath);
    mkdir(dir, { recursive: true }, (mkdirError) => {
      if (mkdirError) {
        logger.error(`${prefix}Unable to write "${dir}" directory to disk:\n${mkdirError}`);
        callback(mkdirError);
        return;
      }
      writeFile(targetPath, content, (writeError) => {
        if (writeError) {
          logger.error(`${prefix}Unable to write "${targetPath}" asset to disk:\n${writeError}`);
          callback(writeError);
          return;
        }
        logger.log(`${prefix}Asset written to disk: "${targetPath}"`);
        callback();
      });
    });
  });
}

/** Reuses a running watcher, or starts one with each child's own `watchOptions`. */
export function startWatching(context: MiddlewareContext): void {
  const { compiler, logger } = context;
  if (compiler.watching) {
    context.watching = compiler.watching;
    return;
  }
  const onError = (error: Error | null): void => {
    if (error) logger.error(error);
  };
  context.watching = isMultiCompiler(compiler)
    ? compiler.watch(
        compiler.compilers.map((child) => child.options.watchOptions ?? {}),
        onError,
      )
    : compiler.watch(compiler.options.watchOptions ?? {}, onError);
}
