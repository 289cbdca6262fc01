import type { ApplyOptions, HotStatus, ModuleId, StatusHandler, WebpackHot } from '../src/hot';

/** What the fake server has for an update from one hash to the next. */
export interface FakeUpdate {
  to: string;
  modules: ModuleId[];
  /**
   * ok: every module accepted. unaccepted / declined: apply aborts (status abort).
   * errored: an accept handler throws (status fail). check-error: the manifest fetch fails.
   * chunk-error: the update chunk fails to load; webpack leaves the status at prepare.
   */
  outcome?: 'ok' | 'unaccepted' | 'declined' | 'errored' | 'check-error' | 'chunk-error';
}

/**
 * A `module.hot` that follows webpack's status machine (idle → check → ready →
 * dispose → apply → idle, or abort/fail) over a table of updates keyed by the
 * hash they start from. `gate` lets a test hold a check open.
 */
export class FakeHot implements WebpackHot {
  hash: string;
  updates = new Map<string, FakeUpdate>();
  statusLog: HotStatus[] = [];
  checks: string[] = [];
  gate: Promise<void> | undefined;
  #status: HotStatus = 'idle';
  #pending: FakeUpdate | undefined;
  readonly #handlers = new Set<StatusHandler>();

  constructor(hash: string) {
    this.hash = hash;
  }

  #set(status: HotStatus): void {
    this.#status = status;
    this.statusLog.push(status);
    for (const handler of this.#handlers) void handler(status);
  }

  accept(): void {}
  decline(): void {}
  dispose(): void {}
  addDisposeHandler(): void {}
  removeDisposeHandler(): void {}
  invalidate(): void {}
  addStatusHandler(handler: StatusHandler): void {
    this.#handlers.add(handler);
  }
  removeStatusHandler(handler: StatusHandler): void {
    this.#handlers.delete(handler);
  }

  status(): HotStatus;
  status(handler: StatusHandler): void;
  status(handler?: StatusHandler): HotStatus | undefined {
    if (handler) {
      this.#handlers.add(handler);
      return undefined;
    }
    return this.#status;
  }

  async check(autoApply?: boolean | ApplyOptions): Promise<ModuleId[] | null> {
    if (this.#status !== 'idle') throw new Error('check() is only allowed in idle status');
    this.checks.push(this.hash);
    this.#set('check');
    if (this.gate) await this.gate;
    await Promise.resolve();
    const update = this.updates.get(this.hash);
    if (update?.outcome === 'check-error') {
      this.#set('idle');
      throw new Error('Failed to fetch update manifest Internal Server Error');
    }
    if (!update) {
      this.#set('idle');
      return null;
    }
    this.#set('prepare');
    if (update.outcome === 'chunk-error') {
      throw new Error(
        `Loading hot update chunk main failed.\n(missing: /main.${this.hash}.hot-update.js)`,
      );
    }
    this.#pending = update;
    this.#set('ready');
    if (autoApply) return this.apply(autoApply === true ? {} : autoApply);
    return update.modules;
  }

  async apply(options: ApplyOptions = {}): Promise<ModuleId[]> {
    if (this.#status !== 'ready') {
      throw new Error(`apply() is only allowed in ready status (state: ${this.#status})`);
    }
    const update = this.#pending!;
    this.#pending = undefined;
    const [first = 'x'] = update.modules;
    const chain = [first, './src/index.js'];
    if (update.outcome === 'unaccepted') {
      options.onUnaccepted?.({ type: 'unaccepted', moduleId: first, chain });
      if (!options.ignoreUnaccepted) {
        this.#set('abort');
        throw new Error(
          `Aborted because ${first} is not accepted\nUpdate propagation: ${chain.join(' -> ')}`,
        );
      }
    }
    if (update.outcome === 'declined') {
      options.onDeclined?.({ type: 'declined', moduleId: first, chain, parentId: chain[1] });
      if (!options.ignoreDeclined) {
        this.#set('abort');
        throw new Error(`Aborted because of declined dependency: ${first} in ${chain[1]}`);
      }
    }
    this.#set('dispose');
    this.#set('apply');
    this.hash = update.to;
    if (update.outcome === 'errored') {
      const error = new Error('accept handler exploded');
      options.onErrored?.({
        type: 'accept-errored',
        moduleId: './src/index.js',
        dependencyId: first,
        error,
      });
      if (!options.ignoreErrored) {
        this.#set('fail');
        throw error;
      }
    }
    this.#set('idle');
    return update.outcome === 'unaccepted' || update.outcome === 'declined' ? [] : update.modules;
  }
}

/** A console that records lines. */
export function createRecordingConsole(): {
  lines: string[];
  log: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
} {
  const lines: string[] = [];
  const record =
    (kind: string) =>
    (...args: unknown[]): void => {
      lines.push(`${kind} ${args.map(String).join(' ')}`);
    };
  return { lines, log: record('log'), warn: record('warn'), error: record('error') };
}
