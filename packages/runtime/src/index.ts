// The bundle entry that replaces webpack's hot/dev-server: add it to a webpack
// entry next to @hmrkit/client. `?mode=only` (or the `@hmrkit/runtime/only`
// entry) never reloads the page. The pure API lives in `@hmrkit/runtime/api`.
import { startFromResourceQuery } from './start';

startFromResourceQuery();
