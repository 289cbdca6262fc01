import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODES, type ExitCode, usageError } from './errors';

export type Mode = 'development' | 'production' | 'none';

/** The bundlers `hmrkit serve` can build with (each the project's own install). */
export type CompilerName = 'webpack' | 'rspack';

/** `hmrkit serve` after parsing: `undefined` means "not given, keep the config's value". */
export interface ServeArgs {
  /** Positional entries; when given they replace every config's `entry`. */
  entries: string[];
  config?: string;
  /** `--compiler`: which bundler builds; `undefined` = rspack for an `rspack.config.*` file, else webpack. */
  compiler?: CompilerName;
  mode?: Mode;
  /** `--env` values, as a function config receives them (plus `WEBPACK_SERVE: true`). */
  env: Record<string, unknown>;
  port?: number | 'auto';
  host?: string;
  hot?: boolean | 'only';
  liveReload?: boolean;
  /** `--keep-state` / `--no-keep-state`: the dev server's `keepState` (HMR records across restarts). */
  keepState?: boolean;
  /** `true` = open the server URL; strings = targets (URL paths or URLs); `false` = never. */
  open?: boolean | string[];
  webSocketServer?: 'ws' | 'sockjs' | false;
  clientOverlay?: boolean;
  /** Folders to serve (replaces the config's `static`), or `false` for none. */
  static?: string[] | false;
  /** Print stacks with errors. */
  debug: boolean;
  /** `--color` / `--no-color`; `undefined` = decide from NO_COLOR, FORCE_COLOR and the TTY. */
  color?: boolean;
}

/** The outcome of parsing a command line. */
export type ParsedCommand = { kind: 'exit'; code: ExitCode } | { kind: 'serve'; args: ServeArgs };

export interface ParseOutput {
  write(text: string): void;
  writeError(text: string): void;
  /** Terminal width for help wrapping. */
  columns?: number;
}

const EXAMPLES = `
Examples:
  $ hmrkit serve                              # webpack.config.{js,cjs,mjs,ts} (or rspack.config.*) here
  $ hmrkit serve --config rspack.config.js    # an rspack.config.* file builds with the project's @rspack/core
  $ hmrkit serve --compiler rspack --config dev.config.js   # Rspack for any other config name
  $ hmrkit serve ./src/main.js --port 3000    # replace the config's entry, listen on 3000
  $ hmrkit serve --config build/dev.config.mjs --mode development
  $ hmrkit serve --env production --env api=https://staging.example --no-hot
  $ hmrkit serve --hot only --no-client-overlay
  $ hmrkit serve --static public --static assets --open /docs
  $ hmrkit serve --host 0.0.0.0 --port auto --web-socket-server sockjs

Flags override the config's devServer values. A function config is called as
config(env, argv): --env key=value sets env.key = 'value', --env flag sets env.flag = true,
--env a.b=c sets env.a.b = 'c'; env.WEBPACK_SERVE is true.

Exit codes:
  0  stopped cleanly (Ctrl-C or SIGTERM), or help/version printed
  1  runtime error: port in use, the server failed or crashed, forced exit on a second signal
  2  usage or config error: unknown flag, bad value, missing or invalid config
`;

function parsePort(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (/^\d+$/.test(value)) {
    const port = Number(value);
    if (port <= 65535) return port;
  }
  throw new InvalidArgumentError('Expected a port number (0-65535) or "auto".');
}

function parseHot(value: string): boolean | 'only' {
  if (value === 'only') return 'only';
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('Expected "only" (or no value).');
}

const collect = (value: string, previous: unknown): string[] =>
  Array.isArray(previous) ? [...previous, value] : [value];

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * `--env` values as webpack-cli builds them: `key=value` → `env.key = 'value'`, `flag` →
 * `env.flag = true`, `a.b=c` → `env.a.b = 'c'`, `key=` → `env.key = ''`.
 */
export function parseEnv(values: readonly string[]): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? entry : entry.slice(0, eq);
    const path = key.split('.');
    if (!key || path.some((part) => !part || part === '__proto__' || part === 'constructor')) {
      throw usageError(`Invalid --env value ${JSON.stringify(entry)}: expected key=value or flag.`);
    }
    setPath(env, path, eq === -1 ? true : entry.slice(eq + 1));
  }
  return env;
}

/**
 * `--hot` takes an optional value, so `--hot ./src/index.js` would swallow the entry. Only the
 * values `--hot` knows are kept as its value; anything else stays a positional.
 */
function disambiguateHot(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (token === '--hot' && next !== undefined && !['only', 'true', 'false'].includes(next)) {
      out.push('--hot=true');
    } else out.push(token);
  }
  return out;
}

/** The commander program; `onServe` receives the parsed `serve` command. */
export function createProgram(
  version: string,
  output: ParseOutput,
  onServe: (args: ServeArgs) => void,
): Command {
  const program = new Command('hmrkit');
  program
    .description('webpack dev server with hot module replacement, built from the hmrkit packages')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .configureOutput({
      writeOut: (text) => output.write(text),
      writeErr: (text) => output.writeError(text),
      getOutHelpWidth: () => output.columns ?? 80,
      getErrHelpWidth: () => output.columns ?? 80,
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nRun "hmrkit serve --help" for the serve flags.\n');

  program
    .command('serve')
    .description(
      'build with webpack in watch mode and serve the bundle from memory with hot module replacement',
    )
    .argument('[entries...]', 'entry modules; when given they replace the config entry')
    .option(
      '-c, --config <path>',
      'config file (default: webpack.config.{js,cjs,mjs,ts}, else rspack.config.{js,cjs,mjs,ts})',
    )
    .addOption(
      new Option(
        '--compiler <name>',
        "bundler to build with, the project's own webpack or @rspack/core (default: rspack for an rspack.config.* file, else webpack)",
      ).choices(['webpack', 'rspack']),
    )
    .addOption(
      new Option(
        '-m, --mode <mode>',
        'webpack mode (default: the config, NODE_ENV, else development)',
      ).choices(['development', 'production', 'none']),
    )
    .option(
      '--env <value>',
      'environment for a function config: key=value or flag (repeatable)',
      collect,
    )
    .option('--port <port>', 'port to listen on, or "auto" for a free one', parsePort)
    .option('--host <host>', 'host to listen on (e.g. 0.0.0.0, ::, localhost, local-ip)')
    .option('--hot [only]', 'hot module replacement; "only" never falls back to a reload', parseHot)
    .option('--no-hot', 'disable hot module replacement')
    .option('--live-reload', 'reload the page when hot update is off or fails')
    .option('--no-live-reload', 'never reload the page')
    .option('--keep-state', 'keep the HMR records across restarts, so open pages keep their state')
    .option('--no-keep-state', 'forget the HMR records on exit: a restart reloads open pages')
    .option(
      '--open [target]',
      'open the browser, at the server URL or a path (repeatable)',
      collect,
    )
    .option('--no-open', 'do not open the browser')
    .addOption(
      new Option('--web-socket-server <type>', 'socket transport for the browser client').choices([
        'ws',
        'sockjs',
      ]),
    )
    .option('--no-web-socket-server', 'no socket server (no HMR or live reload)')
    .option('--client-overlay', 'show build errors and warnings in a browser overlay')
    .option('--no-client-overlay', 'no browser overlay')
    .option(
      '--static <dir>',
      'serve files from a folder (repeatable; replaces the config)',
      collect,
    )
    .option('--no-static', 'serve no static folder')
    .option('--color', 'force colored output')
    .option('--no-color', 'no colors (also: NO_COLOR=1 or output that is not a terminal)')
    .option('--debug', 'print stack traces with errors')
    .addHelpText('after', EXAMPLES)
    .action((entries: string[], options: Record<string, unknown>, command: Command) => {
      // `--no-x` pairs default to true in commander; only values that came from the command
      // line count, so the config keeps the rest.
      const given = (name: string): unknown =>
        command.getOptionValueSource(name) === 'cli' ? options[name] : undefined;
      const open = given('open');
      const staticDirs = given('static');
      const wss = given('webSocketServer');
      onServe({
        entries,
        config: given('config') as string | undefined,
        compiler: given('compiler') as CompilerName | undefined,
        mode: given('mode') as Mode | undefined,
        env: { WEBPACK_SERVE: true, ...parseEnv((given('env') as string[] | undefined) ?? []) },
        port: given('port') as number | 'auto' | undefined,
        host: given('host') as string | undefined,
        hot: given('hot') as boolean | 'only' | undefined,
        liveReload: given('liveReload') as boolean | undefined,
        keepState: given('keepState') as boolean | undefined,
        open: open === undefined ? undefined : (open as boolean | string[]),
        webSocketServer: wss as 'ws' | 'sockjs' | false | undefined,
        clientOverlay: given('clientOverlay') as boolean | undefined,
        static: staticDirs as string[] | false | undefined,
        debug: options.debug === true,
        color: given('color') as boolean | undefined,
      });
    });

  return program;
}

/**
 * Parses `argv` (without node and script). Help and version are printed here and come back
 * as `{kind: 'exit'}`; bad input throws a usage `CliError` after commander printed it.
 */
export async function parseArgs(
  argv: readonly string[],
  version: string,
  output: ParseOutput,
): Promise<ParsedCommand> {
  let serve: ServeArgs | undefined;
  const program = createProgram(version, output, (args) => {
    serve = args;
  });
  if (argv.length === 0) {
    output.writeError(program.helpInformation());
    return { kind: 'exit', code: EXIT_CODES.usage };
  }
  try {
    await program.parseAsync(disambiguateHot(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with commander's exit code 0; everything else is bad input, which
      // commander has already reported on stderr.
      if (error.exitCode === 0) return { kind: 'exit', code: EXIT_CODES.ok };
      return { kind: 'exit', code: EXIT_CODES.usage };
    }
    throw error;
  }
  if (!serve) {
    // `hmrkit help` with no command name prints help through commander and ends here.
    return { kind: 'exit', code: EXIT_CODES.ok };
  }
  return { kind: 'serve', args: serve };
}
