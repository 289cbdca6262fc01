import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Compiler } from 'webpack';

// ---------------------------------------------------------------------------
// HMR records kept across restarts ("keepState").
//
// webpack's HotModuleReplacementPlugin computes each hot update from
// `compiler.records`: the last build's `hash`, `chunkHashes`, `chunkModuleHashes`,
// `chunkModuleIds`, `chunkRuntime`, ... (and RecordIdsPlugin's module/chunk ids).
// In watch mode webpack reads them once, keeps them in memory between rebuilds
// and writes them (through the output file system, which is memory here) after
// each emitted build. Kept on disk, the first build after a restart starts from
// the records of the build the open pages run: it emits `<oldHash>.hot-update.json`
// for edits made while the server was down, and with no edit its hash is the
// pages' own, so they find themselves up to date.
// ---------------------------------------------------------------------------

/** The key of our fingerprint inside the records file (webpack ignores unknown keys). */
export const FINGERPRINT_KEY = '@hmrkit/dev-server';

/** Bumped when what we store changes shape. */
const FORMAT = 1;

/**
 * The records HotModuleReplacementPlugin writes and reads. Without them (a
 * config change, another webpack), webpack builds afresh and emits no update
 * from the old hash: open pages fail to find it and reload once.
 */
const HMR_KEYS = [
  'hash',
  'hotIndex',
  'chunkHashes',
  'chunkModuleHashes',
  'chunkModuleIds',
  'chunkRuntime',
  'fullHashChunkModuleHashes',
] as const;

/**
 * How long after a build the records are written: off the path from the edit
 * to the page's update (the page fetches it right after `ok`). A stop, Ctrl-C
 * or `process.exit` sooner than that writes them at once.
 */
export const RECORDS_WRITE_DELAY = 200;

export interface RecordsFingerprint {
  format: number;
  webpack: string;
  config: string;
}

type Records = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------
// Where
// ---------------------------------------------------------------------------

/**
 * The folder the records of a project go to: `node_modules/.cache/hmrkit` of
 * the nearest folder with a package.json, from the compiler's context up (as
 * webpack places its own cache), else under the context itself.
 */
export function findRecordsRoot(context: string): string {
  let dir = resolve(context);
  for (;;) {
    try {
      if (statSync(join(dir, 'package.json')).isFile()) break;
    } catch {
      // not here: one folder up
    }
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(context), 'node_modules', '.cache', 'hmrkit');
    dir = parent;
  }
  return join(dir, 'node_modules', '.cache', 'hmrkit');
}

/** A compiler's folder name under the records root: its `name` (made safe), else its index. */
export function recordsFolderName(compilers: readonly Compiler[], index: number): string {
  const name = compilers[index]?.name;
  if (typeof name !== 'string' || !name) return String(index);
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  const taken = compilers.some((other, i) => i !== index && other.name === name);
  return taken ? `${safe}-${index}` : safe;
}

/**
 * Where a compiler's records live: the `recordsPath` (or `recordsOutputPath`)
 * of its config, else `<root>/<name-or-index>/records.json`.
 */
export function resolveRecordsPath(compilers: readonly Compiler[], index: number): string {
  const compiler = compilers[index] as Compiler;
  const own = compiler.recordsOutputPath ?? compiler.recordsInputPath;
  if (typeof own === 'string' && own) {
    return isAbsolute(own) ? own : resolve(compiler.context, own);
  }
  return join(
    findRecordsRoot(compiler.context),
    recordsFolderName(compilers, index),
    'records.json',
  );
}

// ---------------------------------------------------------------------------
// Fingerprint
// ---------------------------------------------------------------------------

/**
 * Options that do not change what webpack emits, left out of the fingerprint
 * (the dev-server sets some of them itself).
 */
const IGNORED_OPTIONS = new Set([
  'bail',
  'cache',
  'devServer',
  'infrastructureLogging',
  'parallelism',
  'profile',
  'recordsInputPath',
  'recordsOutputPath',
  'recordsPath',
  'stats',
  'watch',
  'watchOptions',
]);

/**
 * A deterministic text for a webpack config: keys sorted, functions and
 * RegExps by their source, class instances (plugins) by name and own fields.
 * An instance inside an instance is only named: plugins keep compilers and
 * caches around, which are neither small nor the same from run to run.
 */
export function serializeConfig(value: unknown): string {
  const seen = new WeakSet<object>();
  let budget = 50_000;
  const walk = (item: unknown, insideInstance: boolean): unknown => {
    budget -= 1;
    if (budget < 0) return '[…]';
    if (item === null || typeof item === 'boolean' || typeof item === 'number') return item;
    if (typeof item === 'string') return item;
    if (typeof item === 'undefined') return '[undefined]';
    if (typeof item === 'bigint' || typeof item === 'symbol') return `[${item.toString()}]`;
    if (typeof item === 'function') return `[function ${item.toString()}]`;
    if (item instanceof RegExp) return `[RegExp ${item.toString()}]`;
    if (item instanceof Date) return `[Date ${item.toISOString()}]`;
    if (seen.has(item)) return '[Circular]';
    seen.add(item);
    try {
      if (Array.isArray(item)) return item.map((entry) => walk(entry, insideInstance));
      const proto = Object.getPrototypeOf(item) as object | null;
      const plain = proto === null || proto === Object.prototype;
      const name = plain
        ? undefined
        : ((proto as { constructor?: { name?: string } }).constructor?.name ?? 'Object');
      if (
        !plain &&
        (insideInstance || ArrayBuffer.isView(item) || item instanceof Map || item instanceof Set)
      ) {
        return `[${name}]`;
      }
      const out: Record<string, unknown> = {};
      if (name) out['[class]'] = name;
      for (const key of Object.keys(item).sort()) {
        out[key] = walk((item as Record<string, unknown>)[key], insideInstance || !plain);
      }
      return out;
    } finally {
      seen.delete(item);
    }
  };
  return JSON.stringify(walk(value, false));
}

/**
 * What the records are valid for: the webpack version and a hash of the
 * config (plus what the dev-server adds: its entries, hot mode).
 */
export function createFingerprint(compiler: Compiler, extra: unknown): RecordsFingerprint {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(compiler.options)) {
    if (!IGNORED_OPTIONS.has(key)) options[key] = value;
  }
  const config = createHash('sha256')
    .update(serializeConfig({ options, extra }))
    .digest('hex')
    .slice(0, 32);
  return { format: FORMAT, webpack: String(compiler.webpack?.version ?? 'unknown'), config };
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

export type RecordsReadResult =
  /** Records to start from, with the HMR part when it is valid for this build. */
  | { kind: 'ok'; records: Records }
  /** No file yet. */
  | { kind: 'missing' }
  /** Written for another config or webpack version: ids kept, HMR part dropped. */
  | { kind: 'changed'; records: Records; reason: string }
  /** Not records (bad JSON, wrong shapes): ignored. */
  | { kind: 'corrupt'; reason: string };

const isStringMap = (value: unknown): boolean =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string');

/** Why `records` cannot be what webpack wrote, or undefined when they look right. */
function findCorruption(records: Records): string | undefined {
  if ('hash' in records && typeof records.hash !== 'string') return '"hash" is not a string';
  if ('hotIndex' in records && typeof records.hotIndex !== 'number') {
    return '"hotIndex" is not a number';
  }
  for (const key of ['chunkHashes', 'chunkModuleHashes', 'fullHashChunkModuleHashes'] as const) {
    if (key in records && !isStringMap(records[key])) return `"${key}" is not a map of hashes`;
  }
  if ('chunkRuntime' in records && !isRecord(records.chunkRuntime)) {
    return '"chunkRuntime" is not an object';
  }
  if ('chunkModuleIds' in records) {
    const ids = records.chunkModuleIds;
    if (!isRecord(ids) || !Object.values(ids).every(Array.isArray)) {
      return '"chunkModuleIds" is not a map of id lists';
    }
  }
  for (const key of ['modules', 'chunks'] as const) {
    if (!(key in records)) continue;
    const part = records[key];
    if (!isRecord(part)) return `"${key}" is not an object`;
    if ('usedIds' in part && !Array.isArray(part.usedIds)) return `"${key}.usedIds" is not a list`;
    for (const map of ['byIdentifier', 'byName', 'bySource'] as const) {
      if (map in part && !isRecord(part[map])) return `"${key}.${map}" is not an object`;
    }
  }
  // Child compilers' records (html-webpack-plugin's, ...) are lists of records.
  for (const [key, value] of Object.entries(records)) {
    if (!Array.isArray(value) || key === 'chunkModuleIds') continue;
    for (const child of value) {
      if (!isRecord(child)) return `"${key}" is not a list of records`;
      const inner = findCorruption(child);
      if (inner) return `${key}: ${inner}`;
    }
  }
  return undefined;
}

/** Records without HotModuleReplacementPlugin's part (in child compilers' records too). */
export function withoutHmrRecords(records: Records): Records {
  const out: Records = {};
  for (const [key, value] of Object.entries(records)) {
    if ((HMR_KEYS as readonly string[]).includes(key)) continue;
    out[key] = Array.isArray(value)
      ? value.map((child) => (isRecord(child) ? withoutHmrRecords(child) : child))
      : value;
  }
  return out;
}

function describeChange(stored: unknown, current: RecordsFingerprint): string {
  if (!isRecord(stored)) return 'they were not written by hmrkit';
  if (stored.format !== current.format) return 'they were written by another hmrkit version';
  if (stored.webpack !== current.webpack) {
    return `webpack changed (${String(stored.webpack)} → ${current.webpack})`;
  }
  return 'the webpack config changed';
}

/** Parses a records file and checks it against the fingerprint of this build. */
export function parseRecords(text: string, fingerprint: RecordsFingerprint): RecordsReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', reason: `not JSON (${(error as Error).message})` };
  }
  if (!isRecord(parsed)) return { kind: 'corrupt', reason: 'not a JSON object' };
  const { [FINGERPRINT_KEY]: stored, ...records } = parsed;
  const corruption = findCorruption(records);
  if (corruption) return { kind: 'corrupt', reason: corruption };
  const matches =
    isRecord(stored) &&
    stored.format === fingerprint.format &&
    stored.webpack === fingerprint.webpack &&
    stored.config === fingerprint.config;
  if (matches) return { kind: 'ok', records };
  return {
    kind: 'changed',
    records: withoutHmrRecords(records),
    reason: describeChange(stored, fingerprint),
  };
}

/** Reads the records at `path`; never throws. */
export function readRecordsFile(path: string, fingerprint: RecordsFingerprint): RecordsReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', reason: `unreadable (${(error as Error).message})` };
  }
  return parseRecords(text, fingerprint);
}

/** Writes records with their fingerprint; atomically (a crash mid-write leaves the old file). */
export function writeRecordsFile(
  path: string,
  records: Records,
  fingerprint: RecordsFingerprint,
): void {
  const text = JSON.stringify({ ...records, [FINGERPRINT_KEY]: fingerprint });
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// The compiler side
// ---------------------------------------------------------------------------

export interface KeepStateLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface KeepStateOptions {
  /** Where the records live (see `resolveRecordsPath`). */
  path: string;
  fingerprint: RecordsFingerprint;
  logger: KeepStateLogger;
}

const PLUGIN_NAME = 'hmrkit-dev-server/records';

/**
 * Keeps a compiler's records at `options.path`: read when watching starts
 * (instead of webpack's own read, which would race with ours), written a
 * moment after each emitted build and at once when watching stops. webpack's
 * own `recordsPath` handling is turned off for this compiler: it writes
 * through the output file system, which the dev-server keeps in memory.
 */
export function keepRecords(compiler: Compiler, options: KeepStateOptions): void {
  const { path, fingerprint, logger } = options;
  compiler.recordsInputPath = null;
  compiler.recordsOutputPath = null;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  let building = false;
  let writtenHash: unknown;
  let warnedWrite = false;

  const write = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Mid-build the records are half-updated: keep what is on disk.
    if (!pending || building) return;
    pending = false;
    const records = compiler.records as Records;
    if (writtenHash !== undefined && records.hash === writtenHash) return;
    try {
      writeRecordsFile(path, records, fingerprint);
      writtenHash = records.hash;
    } catch (error) {
      if (!warnedWrite) {
        warnedWrite = true;
        logger.warn(
          `Cannot write the HMR records to ${path} (${(error as Error).message}); a restart will reload open pages.`,
        );
      }
    }
  };
  const onExit = (): void => write();

  compiler.hooks.readRecords.tapAsync(PLUGIN_NAME, (callback) => {
    const result = readRecordsFile(path, fingerprint);
    // Checked by readRecordsFile to have the shapes webpack's plugins read.
    const use = (records: Records): void => {
      compiler.records = records as Compiler['records'];
    };
    switch (result.kind) {
      case 'missing':
        use({});
        break;
      case 'ok':
        use(result.records);
        writtenHash = result.records.hash;
        break;
      case 'changed':
        use(result.records);
        logger.info(
          `HMR records at ${path} not used (${result.reason}): pages opened before the restart reload once.`,
        );
        break;
      case 'corrupt':
        use({});
        logger.warn(
          `Ignored corrupt HMR records at ${path}: ${result.reason}. Pages opened before the restart reload once.`,
        );
        break;
      default: {
        const unknown: never = result;
        throw new Error(`Unknown records result ${String(unknown)}`);
      }
    }
    callback();
  });
  compiler.hooks.watchRun.tap(PLUGIN_NAME, () => {
    building = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    // A Ctrl-C that exits without closing the compiler still writes them.
    process.off('exit', onExit);
    process.on('exit', onExit);
  });
  compiler.hooks.emitRecords.tap(PLUGIN_NAME, () => {
    pending = true;
  });
  const settle = (): void => {
    building = false;
    if (!pending) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, RECORDS_WRITE_DELAY);
    timer.unref?.();
  };
  compiler.hooks.done.tap(PLUGIN_NAME, settle);
  compiler.hooks.failed.tap(PLUGIN_NAME, () => {
    building = false;
  });
  compiler.hooks.watchClose.tap(PLUGIN_NAME, () => {
    process.off('exit', onExit);
    write();
  });
  compiler.hooks.shutdown.tap(PLUGIN_NAME, () => {
    process.off('exit', onExit);
    write();
  });
}
