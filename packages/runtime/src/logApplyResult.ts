import type { ModuleId } from './hot';
import type { HmrLogger } from './log';

/**
 * Reports an applied update with webpack's hot/log-apply-result lines:
 * modules that were part of the update but not renewed (they need a reload),
 * then the renewed ones, and a hint when the ids are numbers.
 */
export function logApplyResult(
  logger: HmrLogger,
  updated: readonly ModuleId[],
  renewed: readonly ModuleId[] | null | undefined,
): void {
  const renewedSet = new Set(renewed ?? []);
  const notRenewed = updated.filter((id) => !renewedSet.has(id));
  if (notRenewed.length > 0) {
    logger.warning(
      "The following modules couldn't be hot updated: (They would need a full reload!)",
    );
    for (const id of notRenewed) logger.warning(` - ${id}`);
  }
  if (!renewed || renewed.length === 0) {
    logger.info('Nothing hot updated.');
    return;
  }
  logger.info('Updated modules:');
  for (const id of renewed) {
    // webpack prints ids like "./src/a.js"; a numeric id is printed as is.
    logger.info(` - ${id}`);
  }
  if (renewed.every((id) => typeof id === 'number')) {
    logger.info('Consider using the optimization.moduleIds: "named" for module names.');
  }
}
