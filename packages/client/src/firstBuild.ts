// The script of the page a dev-server answers with while no build has
// succeeded yet (there is no app to serve): hmrkit's client with its overlay
// on that page, showing the build errors as they come, and a reload into the
// app once a build succeeds. Bundled on its own (IIFE, dependencies included):
// the page has no webpack bundle to live in. Its options come from
// `data-query` on its <script> (the entry query the app's client would get).
import { hotEmitter } from '@hmrkit/hot-emitter';
import { parseClientQuery } from '@hmrkit/protocol';
import { createClient } from './client';
import { SOCKET_MESSAGE_EVENT } from './socketEvents';
import { createTransport } from './transport';

const script = document.currentScript;
const query = script?.getAttribute('data-query') ?? '';
const options = parseClientQuery(query);

/** `ok` or `warnings`: a build that emitted the app. */
function isGoodBuild(data: unknown): boolean {
  try {
    const type = (JSON.parse(String(data)) as { type?: unknown }).type;
    return type === 'ok' || type === 'warnings';
  } catch {
    return false;
  }
}

hotEmitter.on(SOCKET_MESSAGE_EVENT, (data: unknown) => {
  if (isGoodBuild(data)) location.reload();
});
createClient(
  { ...options, hot: false, liveReload: false, overlay: options.overlay ?? true },
  { transport: createTransport },
);
