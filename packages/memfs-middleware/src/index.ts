import { createMemfsMiddleware } from './middleware';

export type { AnyCompiler, MiddlewareContext, RspackCompilerLike, WebpackLogger } from './context';
export { getChildCompilers, getChildStats } from './context';
export type { MemfsMiddlewareErrorCode } from './errors';
export { ForwardedError, MemfsMiddlewareError } from './errors';
export type { HotUpdateGeneration, HotUpdateListener } from './hotUpdates';
export type {
  FilenameResult,
  FilenameWithExtra,
  FileStats,
  MemfsMiddleware,
  NextFunction,
} from './middleware';
export { createMemfsMiddleware } from './middleware';
export type {
  ApiVersion,
  CacheControlObject,
  HeaderList,
  HeadersFunction,
  HeaderValue,
  MemfsMiddlewareOptions,
  ModifyResponseData,
  RawRequest,
  RawResponse,
  ResponseData,
  ServedFileSystem,
  StatsOption,
} from './options';
export { validateOptions } from './options';
export type { NodeSeamHooks, RequestSeam, ResponseSeam } from './seam';
export { createNodeRequestSeam, createNodeResponseSeam } from './seam';

export default createMemfsMiddleware;
