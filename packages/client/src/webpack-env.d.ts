// Free variables that the *user's* webpack resolves when it bundles our dist.
// Declared, not imported, so tsup leaves them untouched; every use is guarded
// with `typeof`, so the code also runs outside webpack (tests).
declare const __resourceQuery: string;
declare const __webpack_hash__: string;

// The transport seam: resolved by the user's webpack, to ./transport.ts by
// default (self-reference through our exports map) or to whatever module the
// dev-server aliases it to. Declared here so typechecking needs no build.
declare module '@hmrkit/client/transport' {
  export const createTransport: import('./types').TransportFactory | undefined;
  const defaultExport: unknown;
  export default defaultExport;
}
