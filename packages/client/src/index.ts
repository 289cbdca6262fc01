// The client entry: add `@hmrkit/client?<options>` to a webpack entry (the
// dev-server does it). It reads its options from the resource query, opens
// the transport that `@hmrkit/client/transport` resolves to, and runs.
// The pure API (createClient…) is `@hmrkit/client/api`.
import * as transportModule from '@hmrkit/client/transport';
import { createClient } from './client';
import { getCurrentScriptSource, normalizeTransportModule, resolveClientOptions } from './options';

const resourceQuery = typeof __resourceQuery === 'string' ? __resourceQuery : '';
const bundleHash = typeof __webpack_hash__ === 'string' ? __webpack_hash__ : '';

createClient(
  resolveClientOptions(
    resourceQuery,
    getCurrentScriptSource,
    typeof location === 'undefined' ? undefined : location.href,
  ),
  { transport: normalizeTransportModule(transportModule), currentHash: bundleHash },
);
