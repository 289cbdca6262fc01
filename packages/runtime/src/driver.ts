import type { ApplyEventInfo, ApplyOptions, HotStatus, ModuleId, WebpackHot } from './hot';
import { formatError, type HmrLogger } from './log';
import { logApplyResult } from './logApplyResult';

/**
 * `hot`: apply with webpack's defaults and reload the page when an update
 * cannot be applied (webpack's hot/dev-server). `only`: never reload; apply
 * what can be applied and report what was ignored (hot/only-dev-server).
 */
export type RuntimeMode = 'hot' | 'only';

export interface UpdateDriverOptions {
  /** `module.hot` / `import.meta.webpackHot` of the bundle being updated. */
  hot: WebpackHot;
  /** @default 'hot' */
  mode?: RuntimeMode;
  /** The hash the bundle runs now (`__webpack_hash__`); it changes when an update is applied. */
  currentHash: () => string;
  logger: HmrLogger;
  /** Called when mode `hot` gives up on an update. Omit where a reload is impossible (Node). */
  reload?: () => void;
  /** A clock for the update timing. @default performance.now */
  now?: () => number;
}

export interface UpdateDriver {
  /**
   * A build with this hash is ready (the client's `webpackHotUpdate`).
   * `readyAt` is when the server said so (the `ok` frame), on the `now` clock;
   * it starts the timing reported once the update is applied.
   */
  notify(hash: string, readyAt?: number): void;
  /** Resolves when no check is running (for tests and shutdown). */
  settled(): Promise<void>;
}

const defaultNow = (): number =>
  typeof performance !== 'undefined' ? performance.now() : Date.now();

const isBroken = (status: HotStatus): boolean => status === 'abort' || status === 'fail';

const describeChain = (info: ApplyEventInfo): string =>
  (info.chain ?? [info.moduleId]).join(' -> ');

/** Drives `check`/`apply` for each new build hash, one update at a time. */
export function createUpdateDriver(options: UpdateDriverOptions): UpdateDriver {
  const { hot, logger, currentHash } = options;
  const mode = options.mode ?? 'hot';
  const now = options.now ?? defaultNow;
  let lastHash = '';
  let readyAt = 0;
  let running: Promise<void> | undefined;

  // A MultiCompiler hash is the children's hashes concatenated, so "contains".
  const isUpToDate = (): boolean => lastHash.includes(currentHash());

  const giveUp = (reason: string[]): void => {
    for (const line of reason) logger.warning(line);
    if (options.reload) options.reload();
  };

  const onApplied = (updated: ModuleId[], renewed: ModuleId[]): void => {
    logApplyResult(logger, updated, renewed);
    if (isUpToDate()) {
      logger.info('App is up to date.');
      logger.info(
        `Update took ${Math.max(0, Math.round(now() - readyAt))} ms (server ready → applied).`,
      );
    }
  };

  /** One check, in `hot` mode. Returns true when another check should follow. */
  const checkAndApply = async (): Promise<boolean> => {
    let updated: ModuleId[] | null;
    try {
      updated = await hot.check(true);
    } catch (error) {
      // Not back to idle (abort, fail, or stuck in prepare after an update chunk failed
      // to load): module.hot takes no further update, so only a reload brings the page
      // up to date. Back at idle (the manifest fetch failed), the next build retries.
      if (hot.status() !== 'idle') {
        giveUp(['Cannot apply update. Need to do a full reload!', formatError(error)]);
      } else {
        logger.warning(`Update failed: ${formatError(error)}`);
      }
      return false;
    }
    if (!updated) {
      giveUp([
        options.reload
          ? 'Cannot find update. Need to do a full reload!'
          : 'Cannot find update. Please reload manually!',
        '(Probably because of restarting the webpack-dev-server)',
      ]);
      return false;
    }
    onApplied(updated, updated);
    return true;
  };

  const ignoringOptions: ApplyOptions = {
    ignoreUnaccepted: true,
    ignoreDeclined: true,
    ignoreErrored: true,
    onUnaccepted: (info) =>
      logger.warning(`Ignored an update to unaccepted module ${describeChain(info)}`),
    onDeclined: (info) =>
      logger.warning(`Ignored an update to declined module ${describeChain(info)}`),
    onErrored: (info) => {
      logger.error(`Ignored an error while updating module ${info.moduleId} (${info.type})`);
      if (info.error !== undefined) logger.error(formatError(info.error));
    },
  };

  /** One check, in `only` mode: never reloads. */
  const checkAndApplyIgnoring = async (): Promise<boolean> => {
    try {
      const updated = await hot.check(false);
      if (!updated) {
        logger.warning('Cannot find update. Need to do a full reload!');
        logger.warning('(Probably because of restarting the webpack-dev-server)');
        return false;
      }
      const renewed = await hot.apply(ignoringOptions);
      onApplied(updated, renewed);
      return true;
    } catch (error) {
      if (hot.status() !== 'idle') {
        logger.warning('Cannot check for update. Need to do a full reload!');
        logger.warning(formatError(error));
      } else {
        logger.warning(`Update check failed: ${formatError(error)}`);
      }
      return false;
    }
  };

  const run = async (): Promise<void> => {
    // Re-check while builds keep arriving: each manifest only leads from the
    // hash we have to the next one the server built.
    do {
      logger.info('Checking for updates on the server...');
      const more = mode === 'only' ? await checkAndApplyIgnoring() : await checkAndApply();
      if (!more) return;
    } while (!isUpToDate() && hot.status() === 'idle');
  };

  return {
    notify(hash, at) {
      lastHash = hash;
      readyAt = at ?? now();
      if (running || isUpToDate()) return; // a running check re-checks by itself
      const status = hot.status();
      if (status === 'idle') {
        running = run().finally(() => {
          running = undefined;
        });
      } else if (isBroken(status)) {
        logger.warning(
          `Cannot apply update as a previous update ${status}ed. Need to do a full reload!`,
        );
      } else if (mode === 'hot') {
        // No check of ours is running, yet module.hot is mid-update: it is stuck.
        giveUp([
          `Cannot apply update: module.hot is stuck in "${status}". Need to do a full reload!`,
        ]);
      }
    },
    settled: () => running ?? Promise.resolve(),
  };
}
