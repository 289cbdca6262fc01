// Free variables that the *user's* webpack resolves when it bundles our dist.
// They are declared here, not imported, so tsup leaves them untouched; every
// use is guarded with `typeof`, so the code also runs outside webpack (tests).
declare const __resourceQuery: string;
declare const __webpack_hash__: string;

interface ImportMeta {
  webpackHot?: import('./hot').WebpackHot;
}

// webpack's require function, a free variable in every module it bundles. Only
// `@hmrkit/runtime`'s push hooks read it (its HMR helpers `hmrM`, `hmrF`, `l`, `p`).
declare const __webpack_require__: unknown;
