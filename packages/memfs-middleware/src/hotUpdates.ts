import type { Compiler, Stats } from 'webpack';
import type { ServedFileSystem } from './options';

/** The newest generations of `*.hot-update.*` files, always kept per compiler. */
export const KEPT_HOT_UPDATE_GENERATIONS = 2;
/** Older generations stay servable this long, so a client behind by a burst of edits catches up. */
export const HOT_UPDATE_MAX_AGE_MS = 60_000;
/** And never more than this many per compiler, however fast the edits come. */
export const MAX_HOT_UPDATE_GENERATIONS = 64;

/** The hot-update files one build emitted (named after the hash of the build before it). */
export interface HotUpdateGeneration {
  /** `compiler.name`, for multi-compilers. */
  readonly compilerName: string | undefined;
  /** Hash of the build that emitted the files. */
  readonly hash: string;
  /** Absolute paths in the served file system. */
  readonly files: readonly string[];
  /** When the build finished (ms since the epoch). */
  readonly createdAt: number;
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

export interface HotUpdateTrackerOptions {
  maxAgeMs?: number;
  maxGenerations?: number;
  now?: () => number;
}

/**
 * webpack's HotModuleReplacementPlugin writes new `[id].[hash].hot-update.js` and
 * `[runtime].[hash].hot-update.json` files on every rebuild and never removes them. A client
 * at hash H fetches the files named H (what the build after H emitted), applies them, and
 * then asks for the next hash's files: a client that fell behind during a burst of edits
 * walks through every generation in between. So the two newest generations are always
 * kept, older ones for a minute, and never more than 64 (memory stays bounded).
 */
export function createHotUpdateTracker(
  fs: ServedFileSystem,
  logger: LoggerLike,
  {
    maxAgeMs = HOT_UPDATE_MAX_AGE_MS,
    maxGenerations = MAX_HOT_UPDATE_GENERATIONS,
    now = Date.now,
  }: HotUpdateTrackerOptions = {},
): HotUpdateTracker {
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
        // getAsset, not webpack's `assetsInfo` map: Rspack's compilation has no such map.
        if (info.compilation.getAsset(file)?.info.hotModuleReplacement) {
          pending.push(info.targetPath);
        }
      });
      compiler.hooks.done.tap('hmrkit-memfs-middleware', (stats: Stats) => {
        const files = pending;
        pending = [];
        if (files.length === 0) return;
        const time = now();
        const generation: HotUpdateGeneration = {
          compilerName: compiler.name,
          hash: stats.hash ?? '',
          files,
          createdAt: time,
        };
        history.push(generation);
        const expired = (g: HotUpdateGeneration): boolean =>
          history.length > maxGenerations || time - g.createdAt > maxAgeMs;
        const dropped: HotUpdateGeneration[] = [];
        while (history.length > KEPT_HOT_UPDATE_GENERATIONS && expired(history[0]!)) {
          dropped.push(history.shift()!);
        }
        // A name re-emitted by a newer build is still current.
        const kept = new Set(history.flatMap((g) => g.files));
        for (const old of dropped) for (const file of old.files) if (!kept.has(file)) remove(file);
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
