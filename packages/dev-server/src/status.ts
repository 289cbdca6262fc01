import type { Compiler, MultiCompiler } from 'webpack';
import type { ServerUrls } from './network';
import type { NormalizedOptions } from './options';

/** The infrastructure logger the "Project is running at" block goes to. */
export const STATUS_LOGGER_NAME = 'hmrkit-dev-server/status';

/**
 * webpack-dev-server's "Project is running at" block. It has a logger of its
 * own, so a CLI that prints its own URL block can drop exactly these lines.
 */
export function logServerStatus(
  compiler: Compiler | MultiCompiler,
  urls: ServerUrls,
  options: NormalizedOptions,
): void {
  const logger = compiler.getInfrastructureLogger(STATUS_LOGGER_NAME);
  logger.info('Project is running at:');
  logger.info(`Loopback: ${urls.local}`);
  for (const url of urls.network) {
    logger.info(`On Your Network (${url.includes('[') ? 'IPv6' : 'IPv4'}): ${url}`);
  }
  const folders = options.static.map((item) => item.directory);
  if (folders.length > 0) {
    logger.info(
      `Content not from webpack is served from '${folders.join(', ')}' director${folders.length > 1 ? 'ies' : 'y'}`,
    );
  }
  if (options.historyApiFallback) {
    const index = (options.historyApiFallback as { index?: string }).index ?? '/index.html';
    logger.info(`404s will fallback to '${index}'`);
  }
}
