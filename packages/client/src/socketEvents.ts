// The client's live connection, as events on the page's hot emitter: what
// tools written for webpack-dev-server read from its socket module
// (`webpack-dev-server/client/socket`), published without sharing a module
// instance (each entry of this package is its own bundle).

/** `(data)`: every frame the client received, after the client handled it. */
export const SOCKET_MESSAGE_EVENT = 'hmrkitSocketMessage';
/** `()`: a connection (the first or a reconnect) opened. */
export const SOCKET_OPEN_EVENT = 'hmrkitSocketOpen';
/** `()`: the connection was lost. */
export const SOCKET_CLOSE_EVENT = 'hmrkitSocketClose';
