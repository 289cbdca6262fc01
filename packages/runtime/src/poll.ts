// Bundle entry for Node targets (webpack's hot/poll): `@hmrkit/runtime/poll?1000`
// checks for updates every 1000 ms (default: every 10 minutes).
import { getResourceQuery, getWebpackHot } from './env';
import { HotDisabledError } from './errors';
import { createHmrLogger } from './log';
import { DEFAULT_POLL_INTERVAL_MS, startPolling } from './nodeTriggers';

const hot = getWebpackHot();
if (!hot) throw new HotDisabledError();
const interval = Number.parseInt(getResourceQuery().slice(1), 10);
startPolling({
  hot,
  logger: createHmrLogger(),
  intervalMs: interval > 0 ? interval : DEFAULT_POLL_INTERVAL_MS,
});
