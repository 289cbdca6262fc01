import type { Compiler, Stats } from 'webpack';
import type { ServedFileSystem } from './options';

/** How many generations of `*.hot-update.*` files stay servable per compiler. */
export const KEPT_HOT_UPDATE_GENERATIONS = 2;

/** The hot-update files one build emitted (named after the hash of the build before it). */
export interface HotUpdateGeneration {
  /** `compiler.name`, for multi-compilers. */
  readonly compilerName: string | undefined;
  /** Hash of the build that emitted the files. */
  readonly hash: string;
  /** Absolute paths in the served file system. */
  readonly files: readonly string[];
}

export type HotUpdateListener = (generation: HotUpdateGeneration) => void;

export interface HotUpdateTracker {
  /** Records the hot-update files `compiler` emits and prunes old ones after each build. */
  track(compiler: Compiler): void;
  /** Generations still served, oldest first, across all compilers. */
  generations(): readonly HotUpdateGeneration[];
  /** Called after each build that emitted hot-update files; returns an unsubscribe function. */
  subscribe(listener: HotUpdateListener): () => void;
}

type LoggerLike = { warn(...args: unknown[]): void };

/**
 * webpack's HotModuleReplacementPlugin writes new `[id].[hash].hot-update.js` and
 * `[runtime].[hash].hot-update.json` files on every rebuild and never removes them. A client
 * at hash H fetches the files named H, which the build after H emitted; keeping the last two
 * generations also serves a client that is one build behind. Anything older is removed.
 */
export function createHotUpdateTracker(fs: ServedFileSystem, logger: LoggerLike): HotUpdateTracker {
  const byCompiler = new Map<Compiler, HotUpdateGeneration[]>();
  const listeners = new Set<HotUpdateListener>();

  const remove = (file: string): void => {
    try {
      fs.unlinkSync?.(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn(`Unable to remove old hot update "${file}": ${String(error)}`);
      }
    }
  };

  return {
    track(compiler) {
      const history: HotUpdateGeneration[] = [];
      byCompiler.set(compiler, history);
      let pending: string[] = [];
      compiler.hooks.assetEmitted.tap('hmrkit-memfs-middleware', (file, info) => {
        if (info.compilation.assetsInfo.get(file)?.hotModuleReplacement) {
          pending.push(info.targetPath);
        }
      });
      compiler.hooks.done.tap('hmrkit-memfs-middleware', (stats: Stats) => {
        const files = pending;
        pending = [];
        if (files.length === 0) return;
        const generation: HotUpdateGeneration = {
          compilerName: compiler.name,
          hash: stats.hash ?? '',
          files,
        };
        history.push(generation);
        const kept = new Set(history.slice(-KEPT_HOT_UPDATE_GENERATIONS).flatMap((g) => g.files));
        while (history.length > KEPT_HOT_UPDATE_GENERATIONS) {
          const old = history.shift()!;
          // A name re-emitted by a newer build is still current.
          for (const file of old.files) if (!kept.has(file)) remove(file);
        }
        for (const listener of listeners) listener(generation);
      });
    },
    generations() {
      return [...byCompiler.values()].flat();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
