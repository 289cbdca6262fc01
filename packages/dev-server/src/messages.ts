import {
  type CompileProblem,
  createBuildMessages,
  createHotMessage,
  createInvalidMessage,
  createLiveReloadMessage,
  createOverlayMessage,
  createProgressMessage,
  createProgressUpdateMessage,
  createReconnectMessage,
  createStillOkMessage,
  normalizeProblems,
  type ServerMessage,
} from '@hmrkit/protocol';
import type { NormalizedOptions } from './options';

/** What the server remembers of a finished build: just what the frames need. */
export interface BuildSummary {
  hash: string;
  errors: CompileProblem[];
  warnings: CompileProblem[];
}

/** The parts of webpack's Stats / MultiStats the messenger reads. */
export interface StatsLike {
  hash?: string;
  hasErrors?(): boolean;
  hasWarnings?(): boolean;
  toJson(options: Record<string, unknown>): { hash?: string; errors?: unknown; warnings?: unknown };
}

// The cheapest toJson that still carries the problems (no modules, chunks, assets).
const STATS_JSON_OPTIONS = {
  all: false,
  hash: true,
  errors: true,
  warnings: true,
  errorDetails: false,
  errorStack: false,
  moduleTrace: false,
};

/**
 * Reads a build into a summary. Problems go through the protocol's whitelist,
 * so nothing but message/module/loc/… leaves the process.
 */
export function summarizeStats(
  stats: StatsLike,
  /** webpack's `stats.warningsFilter` of the config: matching warnings are not sent (as webpack-dev-server). */
  warningsFilter?: unknown,
): BuildSummary {
  // A clean build (every edit that compiles) needs no toJson at all: it builds a stats
  // factory and walks the compilation, time spent between webpack's `done` and `ok`.
  if (stats.hash && stats.hasErrors?.() === false && stats.hasWarnings?.() === false) {
    return { hash: stats.hash, errors: [], warnings: [] };
  }
  const json = stats.toJson(
    warningsFilter === undefined ? STATS_JSON_OPTIONS : { ...STATS_JSON_OPTIONS, warningsFilter },
  );
  return {
    hash: stats.hash ?? json.hash ?? '',
    errors: normalizeProblems(json.errors),
    warnings: normalizeProblems(json.warnings),
  };
}

/**
 * webpack-dev-server's order of frames, kept in one place: the greeting on
 * connect and the frames after each build, with the server-wide current hash
 * that decides `still-ok`.
 */
export interface BuildMessenger {
  /** Frames for a client that just connected: settings, then the last build (forced). */
  greeting(): ServerMessage[];
  /** Frames after a build for every client; updates the current hash. */
  afterBuild(summary: BuildSummary, force?: boolean): ServerMessage[];
  /** The frame for a rebuild that started. */
  invalid(): ServerMessage;
}

export function createBuildMessenger(
  options: Pick<NormalizedOptions, 'hot' | 'liveReload' | 'client'>,
): BuildMessenger {
  let currentHash: string | undefined;
  let lastBuild: BuildSummary | undefined;

  const statsMessages = (summary: BuildSummary, force: boolean): ServerMessage[] => {
    const hasErrors = summary.errors.length > 0;
    const hasWarnings = summary.warnings.length > 0;
    if (!force && !hasErrors && !hasWarnings && currentHash === summary.hash) {
      return [createStillOkMessage()];
    }
    currentHash = summary.hash;
    return createBuildMessages(summary);
  };

  return {
    greeting() {
      const messages: ServerMessage[] = [];
      if (options.hot) messages.push(createHotMessage());
      if (options.liveReload) messages.push(createLiveReloadMessage());
      const { client } = options;
      if (client) {
        if (client.progress) messages.push(createProgressMessage(client.progress));
        if (client.reconnect) messages.push(createReconnectMessage(client.reconnect));
        if (client.overlay) messages.push(createOverlayMessage(client.overlay));
      }
      if (lastBuild) messages.push(...statsMessages(lastBuild, true));
      return messages;
    },
    afterBuild(summary, force = false) {
      lastBuild = summary;
      return statsMessages(summary, force);
    },
    invalid() {
      return createInvalidMessage();
    },
  };
}

/**
 * A `progress-update` frame from ProgressPlugin's handler arguments
 * `(fraction, message, addInfo, pluginName)`, as webpack-dev-server forwards
 * them: an integer percent, 100 % reported as "Compilation completed", and any
 * extra info appended in parentheses ("setup (watch run)").
 */
export function createProgressFrame(
  fraction: number,
  message: string,
  addInfo?: string,
  pluginName?: string,
): ServerMessage {
  const percent = Math.floor(fraction * 100);
  let msg = percent === 100 ? 'Compilation completed' : message;
  if (addInfo) msg = `${msg} (${addInfo})`;
  return createProgressUpdateMessage(
    pluginName === undefined ? { percent, msg } : { percent, msg, pluginName },
  );
}
