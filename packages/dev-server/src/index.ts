export { getChildCompilers, getChildStats } from '@hmrkit/memfs-middleware';
export type { DevServerApp, ResponseHelpers } from './app';
export { DEFAULT_AGGREGATE_TIMEOUT } from './buildEvents';
export type { FinalHandler, Middleware, NamedMiddleware, NextFunction } from './chain';
export { composeMiddlewares } from './chain';
export { isWebTarget } from './compiler';
export type { DevServerErrorCode } from './errors';
export { DevServerError } from './errors';
export type { BuildMessenger, BuildSummary, StatsLike } from './messages';
export { createBuildMessenger, createProgressFrame, summarizeStats } from './messages';
export type { ServerUrls } from './network';
export type {
  AllowedHosts,
  ClientConfig,
  DevServerOptions,
  HeadersOption,
  NormalizeContext,
  NormalizedClient,
  NormalizedOpen,
  NormalizedOptions,
  NormalizedStatic,
  OpenTarget,
  ServerConfig,
  StaticConfig,
  WebSocketServerConfig,
  WebSocketUrl,
} from './options';
export { normalizeOptions } from './options';
export { DevServer } from './server';
export { STATUS_LOGGER_NAME } from './status';
