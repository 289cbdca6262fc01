export type { RuntimeMode, UpdateDriver, UpdateDriverOptions } from './driver';
export { createUpdateDriver } from './driver';
export { HotDisabledError } from './errors';
export type {
  ApplyEventInfo,
  ApplyOptions,
  HotStatus,
  ModuleId,
  StatusHandler,
  WebpackHot,
} from './hot';
export type { ConsoleLike, HmrLogger, HmrLogLevel } from './log';
export { createHmrLogger } from './log';
export type { Poller, PollOptions, SignalOptions, SignalSubscribe } from './nodeTriggers';
export { startPolling, startSignalListener } from './nodeTriggers';
export type {
  CompileScript,
  PushedUpdates,
  PushedUpdatesOptions,
  PushStats,
  ScriptEventLike,
  WebpackRequireLike,
} from './push';
export { installPushedUpdates } from './push';
export type { HotRuntime, RuntimeOptions, RuntimeQuery } from './start';
export {
  parseRuntimeQuery,
  startFromResourceQuery,
  startHotRuntime,
} from './start';
