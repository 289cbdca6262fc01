import type { WebpackHot } from './hot';

/**
 * This module's `import.meta.webpackHot` (the ESM build) or `module.hot` (the
 * CJS build: tsup rewrites the expression for that format). `undefined`
 * without HotModuleReplacementPlugin or outside webpack.
 */
export function getWebpackHot(): WebpackHot | undefined {
  return import.meta.webpackHot;
}

/** The entry's resource query (`?mode=only`), or '' outside webpack. */
export function getResourceQuery(): string {
  return typeof __resourceQuery === 'string' ? __resourceQuery : '';
}

/** The hash of the build this bundle runs (`__webpack_hash__`), or '' outside webpack. */
export function getWebpackHash(): string {
  return typeof __webpack_hash__ === 'string' ? __webpack_hash__ : '';
}
