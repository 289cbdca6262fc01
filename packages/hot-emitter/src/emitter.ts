import { HOT_UPDATE_EVENT } from './events';

/** A map of event names to the argument list their listeners receive. */
export type EventMap = Record<string, unknown[]>;

export type Listener<Args extends unknown[]> = (...args: Args) => void;

/** Called when a listener throws; the default reports the error without stopping the others. */
export type ListenerErrorHandler = (error: unknown, event: string) => void;

export interface EmitterOptions {
  /** @default reportError (browsers: the page's `error` event, so the overlay sees it) or console.error */
  onListenerError?: ListenerErrorHandler;
  /**
   * Also dispatch a DOM `CustomEvent` per emit, so `addEventListener` listeners
   * (webpack's `emitter-event-target`) hear it. @default true
   */
  dispatchEvents?: boolean;
}

export interface Emitter<Events extends EventMap> extends EventTarget {
  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void;
  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void;
  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): void;
  /** Calls every listener in order; returns true if there was any. */
  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean;
  listenerCount(event: keyof Events & string): number;
}

function defaultErrorHandler(error: unknown, event: string): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') {
    report(error);
    return;
  }
  console.error(`[hmrkit] a "${event}" listener threw:`, error);
}

/**
 * The `detail` of the CustomEvent for an emit: webpack's convention for
 * `webpackHotUpdate` is `{currentHash}`; other events carry their argument.
 */
function eventDetail(event: string, args: unknown[]): unknown {
  if (event === HOT_UPDATE_EVENT) return { currentHash: args[0] };
  return args.length <= 1 ? args[0] : args;
}

class TypedEmitter<Events extends EventMap> extends EventTarget implements Emitter<Events> {
  readonly #listeners = new Map<string, Listener<unknown[]>[]>();
  readonly #onError: ListenerErrorHandler;
  readonly #dispatch: boolean;

  constructor(options: EmitterOptions = {}) {
    super();
    this.#onError = options.onListenerError ?? defaultErrorHandler;
    this.#dispatch = options.dispatchEvents ?? true;
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void {
    const list = this.#listeners.get(event);
    if (list) list.push(listener as Listener<unknown[]>);
    else this.#listeners.set(event, [listener as Listener<unknown[]>]);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void {
    const wrapper = ((...args: Events[K]) => {
      this.off(event, wrapper);
      listener(...args);
    }) as Listener<Events[K]>;
    return this.on(event, wrapper);
  }

  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const index = list.indexOf(listener as Listener<unknown[]>);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    // A copy, so listeners that remove themselves (once) do not skip the next one.
    const list = this.#listeners.get(event)?.slice() ?? [];
    for (const listener of list) {
      try {
        listener(...args);
      } catch (error) {
        this.#onError(error, event);
      }
    }
    if (this.#dispatch && typeof CustomEvent === 'function') {
      // dispatchEvent reports listener errors itself and never throws here.
      this.dispatchEvent(new CustomEvent(event, { detail: eventDetail(event, args) }));
    }
    return list.length > 0;
  }

  listenerCount(event: keyof Events & string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}

/** A new typed emitter (`on`, `once`, `off`, `emit`), also an `EventTarget`. */
export function createEmitter<Events extends EventMap>(options?: EmitterOptions): Emitter<Events> {
  return new TypedEmitter<Events>(options);
}
