/**
 * webpack's hot/log levels, quietest last, plus the client's names for them
 * (`warn`, `log`, `verbose`), so one `logging` value can drive both packages.
 */
export type HmrLogLevel = 'info' | 'warning' | 'error' | 'none' | 'warn' | 'log' | 'verbose';

type Severity = 'info' | 'warning' | 'error';

/** The console methods the logger writes to. */
export interface ConsoleLike {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Prints `[HMR] …` lines the way webpack's hot/log does, filtered by level. */
export interface HmrLogger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  setLevel(level: HmrLogLevel): void;
}

const THRESHOLD: Record<HmrLogLevel, number> = {
  verbose: 0,
  log: 0,
  info: 0,
  warn: 1,
  warning: 1,
  error: 2,
  none: 3,
};
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** A level name from a query or option, or `undefined` if it is not one. */
export function normalizeLogLevel(value: string | undefined): HmrLogLevel | undefined {
  return value !== undefined && Object.hasOwn(THRESHOLD, value)
    ? (value as HmrLogLevel)
    : undefined;
}

export function createHmrLogger(
  level: HmrLogLevel = 'info',
  output: ConsoleLike = console,
): HmrLogger {
  let threshold = THRESHOLD[level];
  const write = (severity: Severity, message: string): void => {
    if (RANK[severity] < threshold) return;
    const text = `[HMR] ${message}`;
    if (severity === 'info') output.log(text);
    else if (severity === 'warning') output.warn(text);
    else output.error(text);
  };
  return {
    info: (message) => write('info', message),
    warning: (message) => write('warning', message),
    error: (message) => write('error', message),
    setLevel: (next) => {
      threshold = THRESHOLD[next];
    },
  };
}

/** An error's stack when it names the message, otherwise message and stack: one readable text. */
export function formatError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, stack } = error as { message?: unknown; stack?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (typeof stack !== 'string' || !stack) return text;
  return stack.includes(text) ? stack : `${text}\n${stack}`;
}
