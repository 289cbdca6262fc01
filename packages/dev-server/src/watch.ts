import { isAbsolute, resolve } from 'node:path';
import { type ChokidarOptions, watch } from 'chokidar';
import picomatch from 'picomatch';
import type { Compiler } from 'webpack';
import type { NormalizedOptions } from './options';

export interface FileWatcher {
  /** Settles once the watcher has scanned what it watches: an edit from then on is reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

const GLOB_CHARS = /[*?[\]{}()!]/;

/**
 * A path or glob split into the folder to watch and, for a glob, the matcher
 * of the files in it (chokidar 4 watches folders, not globs).
 */
export function splitGlob(
  pattern: string,
  cwd: string,
): { base: string; match?: (path: string) => boolean } {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  if (!GLOB_CHARS.test(pattern)) return { base: absolute };
  const segments = absolute.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const base = segments.slice(0, firstGlob).join('/') || '/';
  const isMatch = picomatch(absolute, { dot: false });
  return { base, match: (path) => isMatch(path) };
}

/**
 * Watches folders, files or globs and reports changed files (webpack-dev-server
 * sends `static-changed` for chokidar's `change`). `poll` is webpack's
 * `watchOptions.poll`: true or an interval in ms turns polling on.
 */
export function createFileWatcher(
  patterns: readonly string[],
  options: { cwd: string; poll?: boolean | number; chokidar?: Record<string, unknown> },
  onChange: (path: string) => void,
): FileWatcher {
  const targets = patterns.map((pattern) => splitGlob(pattern, options.cwd));
  const matchers = targets.filter((target) => target.match);
  const plain = targets.filter((target) => !target.match).map((target) => target.base);
  const watchOptions: ChokidarOptions = {
    ignoreInitial: true,
    // As webpack-dev-server: a symlink is watched as a link, never followed. A link to an
    // ancestor (`public/loop -> ..`) would otherwise make every file reachable under ever
    // longer paths: one edit, dozens of static-changed frames, hundreds of watches.
    followSymlinks: false,
    ignorePermissionErrors: true,
    ignored: (path: string) => /(?:^|[/\\])node_modules(?:[/\\]|$)/.test(path),
    ...(options.poll
      ? { usePolling: true, interval: typeof options.poll === 'number' ? options.poll : 100 }
      : {}),
    ...(options.chokidar as ChokidarOptions | undefined),
  };
  const watcher = watch(
    targets.map((target) => target.base),
    watchOptions,
  );
  watcher.on('change', (path: string) => {
    const absolute = resolve(options.cwd, path);
    const inPlain = plain.some((base) => absolute === base || absolute.startsWith(`${base}/`));
    if (inPlain || matchers.some((target) => target.match?.(absolute))) onChange(absolute);
  });
  // A folder that cannot be watched (permissions, too many files) must not take the server down.
  watcher.on('error', () => {});
  let settle = (): void => {};
  const ready = new Promise<void>((resolve) => {
    settle = resolve;
    watcher.once('ready', () => resolve());
  });
  return {
    ready,
    close: () => {
      // Closed before its scan ended (a stop() during start()): nobody waits for it any more.
      settle();
      return watcher.close();
    },
  };
}

/**
 * The watchers behind live reload: `static` folders with `watch`, and
 * `watchFiles` paths/globs. `onChange` gets each changed file (the server
 * sends `static-changed`). webpack's `watchOptions.poll` applies to them too.
 */
export function watchStaticFiles(
  options: NormalizedOptions,
  primary: Compiler,
  onChange: (path: string) => void,
): FileWatcher[] {
  const poll = primary.options.watchOptions?.poll;
  const base = { cwd: process.cwd(), ...(poll === undefined ? {} : { poll }) };
  const watchers: FileWatcher[] = [];
  const folders = options.static.filter((item) => item.watch).map((item) => item.directory);
  if (folders.length > 0) watchers.push(createFileWatcher(folders, base, onChange));
  for (const item of options.watchFiles) {
    if (item.paths.length === 0) continue;
    watchers.push(createFileWatcher(item.paths, { ...base, chokidar: item.options }, onChange));
  }
  return watchers;
}
