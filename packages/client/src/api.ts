export { ansiToHtml, stripAnsi } from './ansi';
export type {
  ClientEnvironment,
  ClientOptions,
  ClientWindow,
  HmrClient,
  OverlayFilter,
} from './client';
export { createClient, createOverlayFilter, describeStartup } from './client';
export type { Logger } from './logger';
export { createLogger } from './logger';
export {
  normalizeTransportModule,
  resolveClientOptions,
} from './options';
export type { CreateOverlayOptions, Overlay, OverlayState } from './overlay';
export { createOverlay, OPEN_EDITOR_PATH, OVERLAY_TAG } from './overlay';
export type { ProgressIndicator } from './progress';
export { createProgressIndicator } from './progress';
export type { ReconnectingSocket, ReconnectingSocketOptions } from './socket';
export { createReconnectingSocket, reconnectDelay } from './socket';
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
