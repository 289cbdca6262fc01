export type {
  ClientEnvironment,
  ClientOptions,
  ClientWindow,
  HmrClient,
  OverlayFilter,
} from './client';
export { createClient } from './client';
export type { Logger } from './logger';
export type { CreateOverlayOptions, Overlay, OverlayState } from './overlay';
export { createOverlay } from './overlay';
export type { ProgressIndicator } from './progress';
export { createProgressIndicator } from './progress';
export type { ReconnectingSocketOptions } from './socket';
export {
  SOCKET_CLOSE_EVENT,
  SOCKET_MESSAGE_EVENT,
  SOCKET_OPEN_EVENT,
} from './socketEvents';
export type { WebSocketTransportOptions } from './transports/websocket';
export { createWebSocketTransport } from './transports/websocket';
export type { ConsoleLike, Transport, TransportFactory } from './types';
export type { LiveSocket, SocketEvent, SocketEventListener } from './wdsSocket';
export { createLiveSocket } from './wdsSocket';
