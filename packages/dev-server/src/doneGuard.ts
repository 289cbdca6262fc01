import { getChildCompilers } from '@hmrkit/memfs-middleware';
import type { Compiler, MultiCompiler } from 'webpack';

type AnyFunction = (...args: unknown[]) => unknown;

interface TapInfo {
  type: 'sync' | 'async' | 'promise';
  name: string;
  fn: AnyFunction;
}

interface InterceptableHook {
  intercept(interceptor: { register(tap: TapInfo): TapInfo }): void;
}

/** Called with what a plugin's `done` tap threw (or passed to its callback, or rejected). */
export type DoneErrorHandler = (error: Error, plugin: string) => void;

const GUARDED = Symbol('hmrkit-done-guard');

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** The tap, with its failure reported instead of handed to the hook. */
function guardTap(tap: TapInfo, onError: DoneErrorHandler): TapInfo {
  const { fn, name } = tap;
  if ((fn as { [GUARDED]?: true })[GUARDED]) return tap;
  const report = (error: unknown): void => onError(toError(error), name);
  let guarded: AnyFunction;
  switch (tap.type) {
    case 'sync':
      guarded = (...args) => {
        try {
          return fn(...args);
        } catch (error) {
          report(error);
          return undefined;
        }
      };
      break;
    case 'async':
      guarded = (...args) => {
        const callback = args.pop() as (error?: unknown) => void;
        let called = false;
        const done = (error?: unknown): void => {
          if (called) return;
          called = true;
          if (error) report(error);
          callback();
        };
        try {
          fn(...args, done);
        } catch (error) {
          done(error);
        }
      };
      break;
    case 'promise':
      guarded = (...args) => {
        try {
          return Promise.resolve(fn(...args)).then(undefined, report);
        } catch (error) {
          report(error);
          return Promise.resolve();
        }
      };
      break;
    default: {
      const unknown: never = tap.type;
      return unknown;
    }
  }
  (guarded as { [GUARDED]?: true })[GUARDED] = true;
  return { ...tap, fn: guarded };
}

/**
 * A plugin whose `done` tap throws would wedge the dev server: webpack's watcher stops
 * (no rebuild follows any edit) and the taps after it never run, among them the
 * middleware's "bundle is valid", so every request waits forever. Each `done` tap,
 * registered before or after this call, gets its error reported to `onError` instead;
 * the other taps still run, the last output stays served and the next edit rebuilds.
 */
export function guardDoneHooks(
  compiler: Compiler | MultiCompiler,
  onError: DoneErrorHandler,
): void {
  const hooks: unknown[] = getChildCompilers(compiler).map((child) => child.hooks.done);
  if ('compilers' in compiler) hooks.push(compiler.hooks.done);
  for (const hook of hooks) {
    (hook as InterceptableHook).intercept({ register: (tap) => guardTap(tap, onError) });
  }
}
