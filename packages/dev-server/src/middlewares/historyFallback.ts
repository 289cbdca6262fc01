import historyApiFallback from 'connect-history-api-fallback';
import type { Middleware } from '../chain';

/** `historyApiFallback`: rewrites page navigations to /index.html (connect-history-api-fallback). */
export function createHistoryFallbackMiddleware(
  options: Record<string, unknown>,
  logger: { log(...args: unknown[]): void },
): Middleware {
  const fallback = historyApiFallback({
    logger: (...args: unknown[]) => logger.log(...args),
    ...options,
  } as historyApiFallback.Options);
  return (req, res, next) =>
    fallback(req as Parameters<typeof fallback>[0], res as Parameters<typeof fallback>[1], () =>
      next(),
    );
}
