import type { Options } from 'tsup';

/**
 * The one build shape every published package shares: ESM + CJS with split
 * declaration files (`.d.ts` for import, `.d.cts` for require), so that
 * arethetypeswrong sees no "masquerading" types. Package configs pass only
 * what differs (entries, platform).
 */
export function createTsupConfig(overrides: Options = {}): Options {
  const platform = overrides.platform ?? 'node';
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    // No source maps in the packages: the output is unminified and readable as it is, and
    // the maps were 2.7 MB of the 4.3 MB our eight packages added to an install.
    sourcemap: false,
    // Code that may run in a browser is held to ES2020; Node-only code to Node 20.
    target: platform === 'node' ? 'node20' : 'es2020',
    platform,
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
