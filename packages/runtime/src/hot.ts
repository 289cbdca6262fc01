/**
 * The parts of webpack's HMR module API (`module.hot` / `import.meta.webpackHot`)
 * that the runtime drives and app code calls. Written from webpack's documented
 * behaviour (lib/hmr/*.runtime.js), so no dependency on `@types/webpack-env`.
 */

/** `module.hot.status()`: where the HMR runtime is in an update. */
export type HotStatus =
  | 'idle'
  | 'check'
  | 'prepare'
  | 'ready'
  | 'dispose'
  | 'apply'
  | 'abort'
  | 'fail';

/** A module id as webpack emits it: a path (named ids) or a number. */
export type ModuleId = string | number;

/** What `onDeclined` / `onUnaccepted` / `onAccepted` / `onDisposed` receive. */
export interface ApplyEventInfo {
  type:
    | 'self-declined'
    | 'declined'
    | 'unaccepted'
    | 'accepted'
    | 'disposed'
    | 'accept-errored'
    | 'accept-error-handler-errored'
    | 'self-accept-errored'
    | 'self-accept-error-handler-errored';
  moduleId: ModuleId;
  chain?: ModuleId[];
  parentId?: ModuleId;
  dependencyId?: ModuleId;
  outdatedModules?: ModuleId[];
  outdatedDependencies?: Record<string, ModuleId[]>;
  error?: unknown;
  originalError?: unknown;
}

/** `module.hot.apply(options)` (and `check(options)`, which applies with them). */
export interface ApplyOptions {
  ignoreUnaccepted?: boolean;
  ignoreDeclined?: boolean;
  ignoreErrored?: boolean;
  onDeclined?: (info: ApplyEventInfo) => void;
  onUnaccepted?: (info: ApplyEventInfo) => void;
  onAccepted?: (info: ApplyEventInfo) => void;
  onDisposed?: (info: ApplyEventInfo) => void;
  onErrored?: (info: ApplyEventInfo) => void;
}

export type StatusHandler = (status: HotStatus) => void | Promise<void>;

/** webpack's `module.hot` / `import.meta.webpackHot` object. */
export interface WebpackHot {
  /** State kept by `dispose` handlers for the module's next version. */
  data?: Record<string, unknown>;
  accept(): void;
  accept(
    errorHandler: (error: unknown, info: { moduleId: ModuleId; module: unknown }) => void,
  ): void;
  accept(
    dependencies: string | string[],
    callback?: (outdated: ModuleId[]) => void | Promise<void>,
    errorHandler?: (error: unknown, info: { moduleId: ModuleId; dependencyId: ModuleId }) => void,
  ): void;
  decline(dependencies?: string | string[]): void;
  dispose(handler: (data: Record<string, unknown>) => void): void;
  addDisposeHandler(handler: (data: Record<string, unknown>) => void): void;
  removeDisposeHandler(handler: (data: Record<string, unknown>) => void): void;
  invalidate(): void;
  status(): HotStatus;
  status(handler: StatusHandler): void;
  addStatusHandler(handler: StatusHandler): void;
  removeStatusHandler(handler: StatusHandler): void;
  /**
   * Fetches the update manifest. Resolves `null` when there is none (the
   * server does not know the page's hash, e.g. after a restart); otherwise the
   * updated module ids, after applying them when `autoApply` is given.
   */
  check(autoApply?: boolean | ApplyOptions): Promise<ModuleId[] | null>;
  apply(options?: ApplyOptions): Promise<ModuleId[]>;
}
