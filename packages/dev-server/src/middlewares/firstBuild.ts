// Until a build has succeeded there is no app to serve: webpack-dev-server
// then answers a page request with 200 and its overlay. Ours answers an HTML
// request that nothing else served (it would be a 404) with a page running
// @hmrkit/client's first-build script: hmrkit's overlay shows the build errors
// as they come, and the page reloads into the app once a build succeeds.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Middleware } from '../chain';
import { resolveOwn } from '../peers';
import { escapeHtml, isReadRequest } from './request';

export const FIRST_BUILD_SCRIPT_PATH = '/webpack-dev-server/hmrkit-first-build.js';

let script: string | undefined;
/** The client's self-contained first-build script (read once). */
function readScript(): string {
  script ??= readFileSync(
    join(dirname(resolveOwn('@hmrkit/client/package.json')), 'dist', 'firstBuild.global.js'),
    'utf8',
  );
  return script;
}

/** An HTML navigation: what a browser sends for a page (`Accept: text/html`). */
function isPageRequest(accept: string | undefined): boolean {
  return typeof accept === 'string' && accept.includes('text/html');
}

export function renderFirstBuildPage(clientQuery: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Waiting for a successful build</title></head>',
    '<body>',
    '<p>No build has succeeded yet: the errors are shown above. This page turns into the app once a build succeeds.</p>',
    `<script src="${FIRST_BUILD_SCRIPT_PATH}" data-query="${escapeHtml(clientQuery)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * `pendingQuery()` is the client entry query while no build has succeeded,
 * undefined after (then this passes every request on, and a missing page is
 * the usual 404).
 */
export function createFirstBuildMiddleware(pendingQuery: () => string | undefined): Middleware {
  return (req, res, next) => {
    if (!isReadRequest(req)) return next();
    const path = (req.url ?? '/').split('?')[0];
    if (path === FIRST_BUILD_SCRIPT_PATH) {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : readScript());
      return;
    }
    const query = pendingQuery();
    if (query === undefined || !isPageRequest(req.headers.accept)) return next();
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(req.method === 'HEAD' ? undefined : renderFirstBuildPage(query));
  };
}
