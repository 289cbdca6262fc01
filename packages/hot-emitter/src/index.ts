export type {
  Emitter,
  EmitterOptions,
  EventMap,
  Listener,
  ListenerErrorHandler,
} from './emitter';
export { createEmitter } from './emitter';
export { BUILD_READY_EVENT, HOT_UPDATE_EVENT } from './events';
export type { HotEmitter, HotEvents } from './hotEmitter';
export { hotEmitter, PUSHED_UPDATE_EVENT } from './hotEmitter';
