import { pathToFileURL } from 'node:url';
import type { NormalizedOpen } from './options';
import { resolveOptionalPeer } from './peers';

type OpenFunction = (target: string, options: Record<string, unknown>) => Promise<unknown>;

/**
 * `devServer.open`: opens each target (the server's URL for `<url>`, a path
 * relative to it, or a URL as is) through the optional peer `open`. A missing
 * package or a failing browser is a warning, never a failed start.
 */
export async function openTargets(
  targets: readonly NormalizedOpen[],
  base: string,
  logger: { warn(...args: unknown[]): void },
): Promise<void> {
  if (targets.length === 0) return;
  let open: OpenFunction;
  try {
    const resolved = resolveOptionalPeer('open', process.cwd());
    if (!resolved) throw new Error('open is not installed');
    const module = (await import(pathToFileURL(resolved).href)) as { default: OpenFunction };
    open = module.default;
  } catch {
    logger.warn(
      'devServer.open needs the package "open" (npm install --save-dev open); open the URL yourself.',
    );
    return;
  }
  for (const { target, app } of targets) {
    const url =
      target === '<url>'
        ? base
        : /^[a-z][a-z0-9+.-]*:/i.test(target)
          ? target
          : new URL(target, base).href;
    try {
      await open(url, { wait: false, ...(app === undefined ? {} : { app }) });
    } catch (error) {
      logger.warn(`Unable to open "${url}": ${(error as Error).message}`);
    }
  }
}
