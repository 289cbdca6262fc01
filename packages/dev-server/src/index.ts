export { getChildCompilers, getChildStats } from '@hmrkit/memfs-middleware';
export type { DevServerApp, ResponseHelpers } from './app';
export type { Middleware, NamedMiddleware, NextFunction } from './chain';
export type { DevServerErrorCode } from './errors';
export { DevServerError } from './errors';
export type { ServerUrls } from './network';
export type {
  AllowedHosts,
  ClientConfig,
  DevServerOptions,
  HeadersOption,
  OpenTarget,
  ServerConfig,
  StaticConfig,
  WebSocketServerConfig,
  WebSocketUrl,
} from './options';
export { DevServer } from './server';
export { STATUS_LOGGER_NAME } from './status';
