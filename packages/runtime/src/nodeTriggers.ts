import type { HotStatus, ModuleId, WebpackHot } from './hot';
import { formatError, type HmrLogger } from './log';
import { logApplyResult } from './logApplyResult';

const isBroken = (status: HotStatus): boolean => status === 'abort' || status === 'fail';

/** webpack's hot/poll and hot/signal lines for a check or apply that threw. */
function reportFailure(hot: WebpackHot, logger: HmrLogger, error: unknown): void {
  if (isBroken(hot.status())) {
    logger.warning('Cannot apply update.');
    logger.warning(formatError(error));
    logger.warning('You need to restart the application!');
  } else {
    logger.warning(`Update failed: ${formatError(error)}`);
  }
}

/** webpack's hot/poll default: check every 10 minutes. */
export const DEFAULT_POLL_INTERVAL_MS: number = 10 * 60 * 1000;

export interface PollOptions {
  hot: WebpackHot;
  logger: HmrLogger;
  /** @default DEFAULT_POLL_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * Server-side HMR, webpack hot/poll style: check (and apply with webpack's
 * defaults) on a timer while idle. Returns a function that stops the timer.
 * Resolves in `check` when the caller wants to trigger a check now.
 */
export interface Poller {
  check(): Promise<void>;
  stop(): void;
}

export function startPolling(options: PollOptions): Poller {
  const { hot, logger } = options;
  const check = async (afterUpdate = false): Promise<void> => {
    if (hot.status() !== 'idle') return;
    let updated: ModuleId[] | null;
    try {
      updated = await hot.check(true);
    } catch (error) {
      reportFailure(hot, logger, error);
      return;
    }
    if (!updated) {
      if (afterUpdate) logger.info('Update applied.');
      return;
    }
    logApplyResult(logger, updated, updated);
    // Builds may have queued up meanwhile: keep going until nothing is left.
    await check(true);
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  // A Node timer must not keep a finished process alive.
  (timer as { unref?: () => void }).unref?.();
  return { check: () => check(), stop: () => clearInterval(timer) };
}

/** Subscribes to a process signal; returns the unsubscribe function. */
export type SignalSubscribe = (signal: string, listener: () => void) => () => void;

export interface SignalOptions {
  hot: WebpackHot;
  logger: HmrLogger;
  /** @default 'SIGUSR2' */
  signal?: string;
  /** @default process.on / process.off (Node only) */
  subscribe?: SignalSubscribe;
}

interface ProcessLike {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

function processSubscribe(): SignalSubscribe | undefined {
  // Guarded: this package is built for the browser, where `process` is absent.
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (!proc || typeof proc.on !== 'function') return undefined;
  return (signal, listener) => {
    proc.on(signal, listener);
    return () => proc.off(signal, listener);
  };
}

/**
 * Server-side HMR, webpack hot/signal style: on the signal (SIGUSR2 by
 * default), check and apply, ignoring unaccepted modules. Returns a stop function.
 */
export function startSignalListener(options: SignalOptions): {
  trigger(): Promise<void>;
  stop(): void;
} {
  const { hot, logger } = options;
  const signal = options.signal || 'SIGUSR2';
  const check = async (afterUpdate: boolean): Promise<void> => {
    try {
      const updated = await hot.check();
      if (!updated) {
        if (afterUpdate) logger.info('Update applied.');
        else logger.warning('Cannot find update.');
        return;
      }
      const renewed = await hot.apply({
        ignoreUnaccepted: true,
        onUnaccepted: (info) =>
          logger.warning(
            `Ignored an update to unaccepted module ${(info.chain ?? [info.moduleId]).join(' -> ')}`,
          ),
      });
      logApplyResult(logger, updated, renewed);
      await check(true);
    } catch (error) {
      reportFailure(hot, logger, error);
    }
  };
  const trigger = async (): Promise<void> => {
    const status = hot.status();
    if (status !== 'idle') {
      logger.warning(`Got signal but currently in ${status} state.`);
      logger.warning('Need to be in idle state to start hot update.');
      return;
    }
    await check(false);
  };
  const subscribe = options.subscribe ?? processSubscribe();
  const stop = subscribe ? subscribe(signal, () => void trigger()) : () => {};
  if (!subscribe) logger.warning(`Cannot listen for ${signal}: no process object in this target.`);
  return { trigger, stop };
}
