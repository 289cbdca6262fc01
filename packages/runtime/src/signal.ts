// Bundle entry for Node targets (webpack's hot/signal): `@hmrkit/runtime/signal`
// checks for updates on SIGUSR2, `@hmrkit/runtime/signal?SIGHUP` on another signal.
import { getResourceQuery, getWebpackHot } from './env';
import { HotDisabledError } from './errors';
import { createHmrLogger } from './log';
import { startSignalListener } from './nodeTriggers';

const hot = getWebpackHot();
if (!hot) throw new HotDisabledError();
startSignalListener({ hot, logger: createHmrLogger(), signal: getResourceQuery().slice(1) });
