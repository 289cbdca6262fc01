import historyApiFallback from 'connect-history-api-fallback';
import type { Middleware } from '../chain';

/** `historyApiFallback`: rewrites page navigations to /index.html (connect-history-api-fallback). */
export function createHistoryFallbackMiddleware(
  options: Record<string, unknown>,
  logger: { log(...args: unknown[]): void; info(...args: unknown[]): void },
): Middleware {
  // As webpack-dev-server: the rewrites go to the dev server's logger at `log` level
  // (shown with infrastructureLogging.level 'log' or 'verbose'); `verbose: true` shows
  // them at the default level too. A `logger` of the user's wins.
  const log = options.verbose === true ? logger.info : logger.log;
  const fallback = historyApiFallback({
    logger: (...args: unknown[]) => log.call(logger, '[connect-history-api-fallback]', ...args),
    ...options,
  } as historyApiFallback.Options);
  return (req, res, next) =>
    fallback(req as Parameters<typeof fallback>[0], res as Parameters<typeof fallback>[1], () =>
      next(),
    );
}
