import { createRequire } from 'node:module';
import { missingPeer } from './errors';

const ownRequire = createRequire(import.meta.url);

/**
 * Resolves a package from the user's project first, then from this package: with pnpm an
 * optional peer the user installed may be visible only from their project.
 */
export function resolveOptionalPeer(request: string, fromDir: string): string | undefined {
  for (const resolve of [createRequire(`${fromDir}/`).resolve, ownRequire.resolve]) {
    try {
      return resolve(request);
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/**
 * Requires an optional peer (CommonJS), or throws a MISSING_PEER error naming the option
 * (`devServer.<path>`) that needs it and saying how to install it.
 */
export function requireOptionalPeer<T>(
  name: string,
  fromDir: string,
  purpose: string,
  path: string,
): T {
  const resolved = resolveOptionalPeer(name, fromDir);
  if (!resolved) throw missingPeer(path, purpose, name);
  return ownRequire(resolved) as T;
}

/**
 * Loads a module the user named by path or package name (a custom server or
 * socket server), resolved from `fromDir`; `undefined` when it cannot be found.
 * Errors thrown while it loads propagate (they are the user's to see).
 */
export function requireFrom(request: string, fromDir: string): unknown {
  const path = resolveOptionalPeer(request, fromDir);
  return path === undefined ? undefined : ownRequire(path);
}

/** Loads one of our own dependencies (CommonJS), when it is first needed. */
export function loadOwn(request: string): unknown {
  return ownRequire(request);
}

/** Resolves one of our own packages' files (the client and runtime entries). */
export function resolveOwn(request: string): string {
  return ownRequire.resolve(request);
}
