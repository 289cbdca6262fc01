import { getChildCompilers } from '@hmrkit/memfs-middleware';
import { createErrorsMessage, type ServerMessage } from '@hmrkit/protocol';
import type { Compiler, MultiCompiler, MultiStats, Stats } from 'webpack';
import { getPrimaryCompiler, PLUGIN_NAME, type SetupContext, setupCompilers } from './compiler';
import { guardDoneHooks } from './doneGuard';
import { type BuildMessenger, createProgressFrame, summarizeStats } from './messages';
import type { NormalizedOptions } from './options';

/**
 * How long webpack's watcher waits after a change for more changes before it
 * rebuilds, unless the config sets `watchOptions.aggregateTimeout`. webpack's
 * default is 20 ms, all of it added to every hot update. Not 0: a save that
 * truncates and then writes is two events, and on a busy machine the writer
 * can lose the CPU between them; at 0 ms Rspack's watcher then built the
 * empty file (a failed update and a reload in 1–4 of 18 edits at load ~20),
 * at 5 ms (Rspack's own default) it never did.
 */
export const DEFAULT_AGGREGATE_TIMEOUT = 5;

export interface BuildEventsContext extends Omit<SetupContext, 'onProgress' | 'logger'> {
  logger: SetupContext['logger'] & { error(message: string): void };
  messenger: BuildMessenger;
  /** Sends frames to every connected client. */
  broadcast(messages: readonly ServerMessage[]): void;
  /**
   * Sends a finished build's frames (where the pushed update joins them for
   * clients that asked). @default broadcast
   */
  broadcastBuild?(messages: readonly ServerMessage[], stats: Stats | MultiStats): void;
  /** Each finished build's stats, before its frames go out. */
  onDone(stats: Stats | MultiStats): void;
}

/**
 * Prepares the compilers (entries, HMR, progress) and turns their build
 * events into frames: `invalid` when a rebuild starts, progress while it
 * runs, and the build's frames (hash, ok/warnings/errors) when it is done.
 * A plugin whose `done` tap fails is reported (terminal and an `errors`
 * frame for the overlay) without stopping the watch or the other taps.
 */
export function hookBuildEvents(
  compiler: Compiler | MultiCompiler,
  options: NormalizedOptions,
  context: BuildEventsContext,
): void {
  const { messenger, broadcast, broadcastBuild, onDone, ...setup } = context;
  setupCompilers(compiler, options, {
    ...setup,
    onProgress: (fraction, message, addInfo, pluginName) => {
      broadcast([createProgressFrame(fraction, message, addInfo, pluginName)]);
    },
  });
  compiler.hooks.invalid.tap(PLUGIN_NAME, () => {
    broadcast([messenger.invalid()]);
  });
  // Frames go out in `done`, before the middleware prints stats (on the next tick).
  // Stage -100: before other `done` taps (a CLI's status line, stats printing), so the
  // browser hears `ok` first.
  // webpack-dev-server reads `stats.warningsFilter` from the (primary) compiler's config.
  const statsOption = getPrimaryCompiler(compiler).options.stats;
  const warningsFilter =
    typeof statsOption === 'object' && statsOption !== null
      ? (statsOption as { warningsFilter?: unknown }).warningsFilter
      : undefined;
  compiler.hooks.done.tap({ name: PLUGIN_NAME, stage: -100 }, (stats: Stats | MultiStats) => {
    onDone(stats);
    const messages = messenger.afterBuild(summarizeStats(stats, warningsFilter));
    if (broadcastBuild) broadcastBuild(messages, stats);
    else broadcast(messages);
  });
  guardDoneHooks(compiler, (error, plugin) => {
    const message = `Plugin "${plugin}" failed in the done hook: ${error.stack ?? error.message}`;
    setup.logger.error(message);
    broadcast([createErrorsMessage([{ message }])]);
  });
}

/** `watchOptions.aggregateTimeout` at DEFAULT_AGGREGATE_TIMEOUT where the config leaves it unset. */
export function applyWatchDefaults(compiler: Compiler | MultiCompiler): void {
  for (const child of getChildCompilers(compiler)) {
    const watchOptions = child.options.watchOptions ?? {};
    if (typeof watchOptions.aggregateTimeout !== 'number') {
      child.options.watchOptions = { ...watchOptions, aggregateTimeout: DEFAULT_AGGREGATE_TIMEOUT };
    }
  }
}
