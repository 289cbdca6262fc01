// The bundle entry that replaces webpack's hot/only-dev-server: apply what can
// be applied, report what was ignored, never reload.
import { startFromResourceQuery } from './start';

startFromResourceQuery({ mode: 'only' });
