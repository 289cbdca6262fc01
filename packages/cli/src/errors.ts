/**
 * Exit codes of `hmrkit`. Scripts can tell "fix your command or config" (2) from "something
 * broke while running" (1).
 */
export const EXIT_CODES: {
  readonly ok: 0;
  readonly runtime: 1;
  readonly usage: 2;
} = {
  /** Help or version printed, or the server stopped cleanly (Ctrl-C, SIGTERM). */
  ok: 0,
  /** The server could not start or crashed: port in use, listen error, a forced second signal. */
  runtime: 1,
  /** Bad command line or config: unknown flag, bad value, missing or invalid config. */
  usage: 2,
};

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** What went wrong, as far as the exit code and the message go. */
export type CliErrorKind = 'usage' | 'config' | 'runtime';

/** Every error the CLI raises on purpose. Printed as its message only (stack with --debug). */
export class CliError extends Error {
  readonly kind: CliErrorKind;

  constructor(kind: CliErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.kind = kind;
  }

  get exitCode(): ExitCode {
    return this.kind === 'runtime' ? EXIT_CODES.runtime : EXIT_CODES.usage;
  }
}

export const usageError = (message: string): CliError => new CliError('usage', message);

export const configError = (message: string, cause?: unknown): CliError =>
  new CliError('config', message, cause === undefined ? undefined : { cause });

export const runtimeError = (message: string, cause?: unknown): CliError =>
  new CliError('runtime', message, cause === undefined ? undefined : { cause });

/**
 * The codes hmrkit's packages put on their errors (DevServerError, SocketServerError,
 * MemfsMiddlewareError: one shape, `{ code, option? }`), by what they mean for the exit code:
 * the options are wrong (2), or something failed while running (1).
 */
const OPTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'INVALID_OPTION',
  'UNKNOWN_OPTION',
  'UNSUPPORTED_OPTION',
  'MISSING_PEER',
]);
const RUNTIME_ERROR_CODES: ReadonlySet<string> = new Set(['PORT_IN_USE', 'NOT_STARTED']);

/** An error of one of hmrkit's packages: recognised by its shape, not by its class or name. */
export interface HmrkitError extends Error {
  readonly code: string;
  readonly option?: string;
}

export function isHmrkitError(error: unknown): error is HmrkitError {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  return (
    typeof code === 'string' && (OPTION_ERROR_CODES.has(code) || RUNTIME_ERROR_CODES.has(code))
  );
}

/**
 * The exit code for anything thrown while running a command: our own errors carry theirs;
 * hmrkit option errors and webpack's config validation errors are config errors (2);
 * everything else is a runtime error (1).
 */
export function getExitCode(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isHmrkitError(error)) {
    return OPTION_ERROR_CODES.has(error.code) ? EXIT_CODES.usage : EXIT_CODES.runtime;
  }
  // webpack(config) throws schema-utils' ValidationError for an invalid configuration.
  if (error instanceof Error && error.name === 'ValidationError') return EXIT_CODES.usage;
  return EXIT_CODES.runtime;
}

/** The text printed for an error: its message, plus its stack (and causes) when debugging. */
export function formatError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (!debug) return error.message;
  const parts = [error.stack ?? error.message];
  let cause = error.cause;
  while (cause !== undefined) {
    parts.push(
      `Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}
