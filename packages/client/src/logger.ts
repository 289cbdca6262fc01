import type { LogLevel } from '@hmrkit/protocol';
import type { ConsoleLike } from './types';

/** The client's console output, `[hmrkit]`-prefixed and filtered by `client.logging`. */
export interface Logger extends ConsoleLike {
  /** `debug` writes only at `verbose`. */
  setLevel(level: LogLevel): void;
  readonly level: LogLevel;
}

export const LOG_PREFIX = '[hmrkit]';

const RANK: Record<LogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, log: 4, verbose: 5 };

export function createLogger(level: LogLevel = 'info', output: ConsoleLike = console): Logger {
  let current = level;
  const at =
    (rank: number, write: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      if (RANK[current] >= rank) write(LOG_PREFIX, ...args);
    };
  return {
    error: at(1, (...a) => output.error(...a)),
    warn: at(2, (...a) => output.warn(...a)),
    info: at(3, (...a) => output.info(...a)),
    log: at(4, (...a) => output.log(...a)),
    debug: at(5, (...a) => output.debug(...a)),
    setLevel(next) {
      current = next;
    },
    get level() {
      return current;
    },
  };
}
