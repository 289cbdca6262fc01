// The module behind the `@hmrkit/client/transport` seam. The client entry
// imports that specifier; by default it resolves here (native WebSocket). A
// dev-server switches transports by aliasing the specifier in the user's
// webpack config, e.g. to `@hmrkit/client/transports/sockjs`, so SockJS is
// never bundled unless asked for.
import { createWebSocketTransport } from './transports/websocket';
import type { TransportFactory } from './types';

export const createTransport: TransportFactory = (url) => createWebSocketTransport(url);
