export type { SocketServerErrorCode } from './errors';
export { SocketServerError } from './errors';
export type {
  AllowedHostsOption,
  ConnectionRefusal,
  HeaderRecord,
  HostCheckOptions,
  HostHeaderName,
  HttpRequestCheckOptions,
  HttpRequestVerdict,
  NormalizedAllowedHosts,
} from './hostCheck';
export {
  checkConnectionHeaders,
  checkHttpRequest,
  isHostAllowed,
  isSameOrigin,
  isValidHost,
  normalizeAllowedHosts,
  parseHostHeader,
  parseOriginHeader,
} from './hostCheck';
export type {
  SocketClient,
  SocketServer,
  SocketServerEvents,
  SocketServerOptions,
} from './socketServer';
export { createSocketServer } from './socketServer';
export type { SockjsTransportOptions } from './sockjsTransport';
export { createSockjsTransport } from './sockjsTransport';
export type {
  ConnectionHandlers,
  ConnectionRequest,
  SocketTransport,
  SocketTransportFactory,
  TransportConnection,
  TransportContext,
} from './transport';
export type { WsTransportOptions } from './wsTransport';
export { createWsTransport } from './wsTransport';
