import { createEmitter, type Emitter } from './emitter';
import type { BUILD_READY_EVENT, HOT_UPDATE_EVENT } from './events';

/** The events that travel between the client and the runtime. */
export interface HotEvents {
  [event: string]: unknown[];
  /** A new build is ready; the argument is its hash. */
  [HOT_UPDATE_EVENT]: [currentHash: string];
  /** Just before it: the hash and `performance.now()` when the client heard `ok`. */
  [BUILD_READY_EVENT]: [hash: string, readyAt: number];
  /**
   * The server pushed a build's hot-update files (manifest and chunks) over
   * the socket, before its `webpackHotUpdate`: the runtime keeps them and
   * hands them to webpack's HMR runtime instead of fetching them.
   */
  hmrkitPushedUpdate: [hash: string, files: readonly { name: string; content: string }[]];
}

/** The event @hmrkit/client emits a pushed update on, and @hmrkit/runtime listens to. */
export const PUSHED_UPDATE_EVENT = 'hmrkitPushedUpdate';

export type HotEmitter = Emitter<HotEvents>;

/**
 * Where the page-wide instance lives. `Symbol.for` is shared across realms'
 * module copies, so two copies of this package in one bundle (or two bundles
 * in one page) find the same emitter, as webpack's single hot/emitter module.
 */
export const HOT_EMITTER_KEY: unique symbol = Symbol.for('hmrkit.hotEmitter');

type GlobalWithEmitter = typeof globalThis & { [HOT_EMITTER_KEY]?: HotEmitter };

/** The page's one hot emitter, created on first use. */
export function getHotEmitter(): HotEmitter {
  const scope = globalThis as GlobalWithEmitter;
  let emitter = scope[HOT_EMITTER_KEY];
  if (!emitter) {
    emitter = createEmitter<HotEvents>();
    Object.defineProperty(scope, HOT_EMITTER_KEY, { value: emitter, configurable: true });
  }
  return emitter;
}

/** The page's one hot emitter: `hotEmitter.emit('webpackHotUpdate', hash)`. */
export const hotEmitter: HotEmitter = getHotEmitter();
