/**
 * The event a client emits when a build with a new hash is ready, and a runtime listens for
 * (webpack's hot/emitter convention, so webpack's own hot/dev-server hears it too). This package
 * owns the name: the client and the runtime both import it from here.
 */
export const HOT_UPDATE_EVENT = 'webpackHotUpdate';

/**
 * hmrkit's own: emitted by the client as `(hash, readyAt)` just before {@link HOT_UPDATE_EVENT},
 * `readyAt` being `performance.now()` when the `ok` frame arrived, so the runtime can report how
 * long an update took from the server's point of view.
 */
export const BUILD_READY_EVENT = 'hmrkitBuildReady';
