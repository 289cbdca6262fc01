import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Configuration } from 'webpack';
import type { CompilerName, Mode, ServeArgs } from './args';
import { CliError, configError } from './errors';

/** Config file names looked up in the working folder, in this order (as webpack-cli does). */
export const CONFIG_FILE_NAMES: readonly string[] = [
  'webpack.config.js',
  'webpack.config.cjs',
  'webpack.config.mjs',
  'webpack.config.ts',
  'webpack.config.cts',
  'webpack.config.mts',
  // Rspack's names, after webpack's (as a project with both builds with webpack by default).
  'rspack.config.js',
  'rspack.config.cjs',
  'rspack.config.mjs',
  'rspack.config.ts',
  'rspack.config.cts',
  'rspack.config.mts',
];

const TS_EXTENSIONS = new Set(['.ts', '.cts', '.mts']);

/** `(env, argv)` as a function config receives them. */
export interface ConfigArgv {
  env: Record<string, unknown>;
  mode?: Mode;
  [flag: string]: unknown;
}

/** The TypeScript loader hmrkit falls back to: jiti's `import`. */
export type TsImporter = (file: string) => Promise<unknown>;

export interface LoadConfigOptions {
  /**
   * Finds a TypeScript loader when Node cannot import a `.ts` file itself. The default looks
   * for the optional peer `jiti` next to the config, then next to hmrkit. Tests replace it.
   */
  findTsImporter?: (file: string) => Promise<TsImporter | undefined>;
}

/** The config file `--config` names, or the first `webpack.config.*` (then `rspack.config.*`) in `cwd`; else undefined. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw configError(`Config file not found: ${file} (from --config ${explicit}).`);
    }
    return file;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * The bundler that builds: `--compiler` when given, else Rspack for a config file named
 * `rspack.config.*` (as `rspack serve` reads), else webpack.
 */
export function pickCompilerName(
  flag: CompilerName | undefined,
  configFile: string | undefined,
): CompilerName {
  if (flag) return flag;
  return configFile !== undefined && /^rspack\.config\.[cm]?[jt]s$/.test(basename(configFile))
    ? 'rspack'
    : 'webpack';
}

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;

/** Errors Node raises when it cannot run a TypeScript file on its own. */
const NO_NATIVE_TS = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
]);

async function findJiti(file: string): Promise<TsImporter | undefined> {
  let specifier = 'jiti';
  try {
    // The user's project first: an optional peer lives there.
    specifier = pathToFileURL(createRequire(file).resolve('jiti')).href;
  } catch {
    // Not next to the config; try hmrkit's own resolution below.
  }
  let jiti: { createJiti?: (id: string, options?: Record<string, unknown>) => unknown };
  try {
    jiti = (await import(specifier)) as typeof jiti;
  } catch {
    return undefined;
  }
  if (typeof jiti.createJiti !== 'function') return undefined;
  const instance = jiti.createJiti(file, { interopDefault: true, moduleCache: false }) as {
    import: (id: string, options?: { default?: boolean }) => Promise<unknown>;
  };
  return (target) => instance.import(target, { default: true });
}

function explainMissingTsLoader(file: string): string {
  return [
    `Cannot load ${file}: this Node.js (${process.version}) cannot run TypeScript files by itself.`,
    'Install jiti in your project and hmrkit uses it automatically:',
    '  npm install --save-dev jiti',
    'or register a loader yourself, e.g.: node --import tsx ./node_modules/@hmrkit/cli/bin/hmrkit.js serve',
    '(Node.js 22.18+ and 23.6+ run erasable TypeScript natively.)',
  ].join('\n');
}

/** Whatever the config module exports: its default export, or module.exports for CommonJS. */
function pickExport(file: string, namespace: unknown): unknown {
  if (typeof namespace !== 'object' || namespace === null) return namespace;
  const module = namespace as Record<string, unknown>;
  if ('default' in module) return module.default;
  // An ES module with named exports only has no config to use.
  throw configError(
    `Config ${file} has no default export (export default {...} or module.exports).`,
  );
}

/**
 * Imports a config file: `.js/.cjs/.mjs` with Node's `import()`; `.ts/.cts/.mts` with Node
 * too when it can (a registered loader such as tsx, or native type stripping), else with the
 * optional peer `jiti`, else a config error that says what to install.
 */
export async function importConfigFile(
  file: string,
  options: LoadConfigOptions = {},
): Promise<unknown> {
  const url = pathToFileURL(file).href;
  const isTs = TS_EXTENSIONS.has(extname(file));
  try {
    return pickExport(file, await import(url));
  } catch (error) {
    if (!(isTs && NO_NATIVE_TS.has(String(codeOf(error))))) {
      if (error instanceof CliError) throw error;
      const where = isTs ? undefined : locateSyntaxError(error, file);
      throw configError(
        `Failed to load config ${file}: ${messageOf(error)}${where ? `\n${where}` : ''}`,
        error,
      );
    }
  }
  const importer = await (options.findTsImporter ?? findJiti)(file);
  if (!importer) throw configError(explainMissingTsLoader(file));
  try {
    return await importer(file);
  } catch (error) {
    throw configError(`Failed to load config ${file}: ${messageOf(error)}`, error);
  }
}

/**
 * Where a SyntaxError is, as Node prints it: `file:line`, the line, a caret. CommonJS puts that
 * on top of the error's stack; an ES module's SyntaxError has no location at all (Node 20), so
 * then `node --check` is asked, which prints it for ES modules too. Only on this error path.
 */
export function locateSyntaxError(error: unknown, file: string): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SyntaxError') return undefined;
  const fromStack = codeFrameOf(error.stack ?? '');
  if (fromStack) return fromStack;
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  return check.status === 0 ? undefined : codeFrameOf(check.stderr ?? '');
}

/** The `path:line` header and code frame Node prints above `SyntaxError: …`, if any. */
function codeFrameOf(text: string): string | undefined {
  const end = text.search(/^SyntaxError: /m);
  if (end <= 0) return undefined;
  const frame = text.slice(0, end).replace(/\s+$/, '');
  return /^\S.*:\d+$/m.test(frame.split('\n')[0] ?? '') ? frame : undefined;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const isConfigObject = (value: unknown): value is Configuration =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns what a config file exports into webpack options: awaits a Promise, calls a function
 * with `(env, argv)` (and awaits its result), does the same for each item of an array. A
 * function that throws or a Promise that rejects is a config error naming `file`.
 */
export async function resolveConfigExport(
  exported: unknown,
  argv: ConfigArgv,
  file?: string,
): Promise<Configuration | Configuration[]> {
  const source = file === undefined ? 'The config' : `The config ${file}`;
  const settle = async (value: unknown): Promise<unknown> => {
    try {
      const awaited = await value;
      return typeof awaited === 'function' ? await awaited(argv.env, argv) : awaited;
    } catch (error) {
      if (error instanceof CliError) throw error;
      const where = file === undefined ? 'the config' : `config ${file}`;
      throw configError(`Failed to load ${where}: ${messageOf(error)}`, error);
    }
  };
  const resolveOne = async (value: unknown, where: string): Promise<Configuration> => {
    const config = await settle(value);
    if (!isConfigObject(config)) {
      throw configError(
        `${where} should be a webpack configuration object (or a function or Promise returning one), got ${describe(config)}.`,
      );
    }
    return config;
  };

  const value = await settle(exported);
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw configError(`${source} exports an empty array of configurations.`);
    return Promise.all(value.map((item, index) => resolveOne(item, `${source} [${index}]`)));
  }
  return resolveOne(value, source);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** The `argv` a function config receives: the serve flags that were given, plus env and mode. */
export function createConfigArgv(args: ServeArgs, configFile: string | undefined): ConfigArgv {
  const argv: ConfigArgv = { env: args.env };
  for (const [key, value] of Object.entries(args)) {
    if (value !== undefined && key !== 'env' && key !== 'entries' && key !== 'debug') {
      argv[key] = value;
    }
  }
  if (args.entries.length > 0) argv.entry = args.entries;
  if (configFile !== undefined) argv.config = [configFile];
  return argv;
}

const MODES = new Set(['development', 'production', 'none']);

/**
 * The webpack mode for serve: `--mode`, else the config's, else `NODE_ENV` when it names a
 * mode, else development (a dev server is for development; it also avoids webpack's
 * "mode has not been set" warning).
 */
export function pickMode(
  flag: Mode | undefined,
  configMode: Configuration['mode'],
  nodeEnv: string | undefined,
): Mode {
  if (flag) return flag;
  if (configMode) return configMode;
  if (nodeEnv && MODES.has(nodeEnv)) return nodeEnv as Mode;
  return 'development';
}

/** Applies `--mode` and positional entries to each config (copies; the inputs are untouched). */
export function applyCliToConfigs(
  configs: readonly Configuration[],
  args: Pick<ServeArgs, 'mode' | 'entries'>,
  nodeEnv: string | undefined,
): Configuration[] {
  return configs.map((config) => {
    const next: Configuration = { ...config, mode: pickMode(args.mode, config.mode, nodeEnv) };
    if (args.entries.length > 0) next.entry = [...args.entries];
    return next;
  });
}
