import packageJson from '../package.json';
import { parseArgs } from './args';
import { EXIT_CODES, formatError, getExitCode } from './errors';
import { createColors, shouldUseColor } from './output';
import {
  type CliIO,
  createProcessIO,
  type ServeHandle,
  type StartServeOptions,
  startServe,
} from './serve';

/** The version of @hmrkit/cli, as `hmrkit --version` prints it. */
export const VERSION: string = packageJson.version;

export interface RunCliOptions extends Partial<CliIO>, StartServeOptions {
  /**
   * Handle SIGINT/SIGTERM: the first stops the server cleanly (exit code 0), a second one
   * forces `exit(1)` at once. @default true
   */
  signals?: boolean;
  /** Called to force an exit on a second signal. @default process.exit */
  exit?: (code: number) => void;
  /** Receives the running server once it listens (tests, embedding). */
  onListening?: (handle: ServeHandle) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `hmrkit <argv>` and resolves with the exit code: at once for help, version and errors;
 * for `serve`, when the server stops (Ctrl-C/SIGTERM → 0, a server crash → 1).
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io: CliIO = { ...createProcessIO(), ...pickIo(options) };
  const debug = argv.includes('--debug') || Boolean(io.env.HMRKIT_DEBUG);
  const errorColors = createColors(shouldUseColor(undefined, io.env, io.stderr));
  const printError = (error: unknown): void => {
    io.stderr.write(`${errorColors.red('error')} ${formatError(error, debug)}\n`);
  };

  let parsed: Awaited<ReturnType<typeof parseArgs>>;
  try {
    parsed = await parseArgs(argv, VERSION, {
      write: (text) => io.stdout.write(text),
      writeError: (text) => io.stderr.write(text),
      columns: io.stdout.columns,
    });
  } catch (error) {
    printError(error);
    return getExitCode(error);
  }
  if (parsed.kind === 'exit') return parsed.code;

  let handle: ServeHandle;
  try {
    handle = await startServe(parsed.args, io, options);
  } catch (error) {
    printError(error);
    return getExitCode(error);
  }
  options.onListening?.(handle);

  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) {
      io.stderr.write(`\n${signal} again: exiting without waiting for the server to stop\n`);
      exit(EXIT_CODES.runtime);
      return;
    }
    io.stderr.write(`\n${signal}: stopping the dev server (press Ctrl-C again to force)\n`);
    handle.close().catch((error: unknown) => printError(error));
  };
  if (options.signals !== false) for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await handle.closed;
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

function pickIo(options: RunCliOptions): Partial<CliIO> {
  const io: Partial<CliIO> = {};
  if (options.stdout) io.stdout = options.stdout;
  if (options.stderr) io.stderr = options.stderr;
  if (options.cwd) io.cwd = options.cwd;
  if (options.env) io.env = options.env;
  return io;
}
