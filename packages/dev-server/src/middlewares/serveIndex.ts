import { readdir, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { Middleware } from '../chain';
import { decodePath, escapeHtml, isReadRequest, originalUrl, redirectToFolder } from './request';
import { isDotPath } from './static';

/**
 * `serveIndex`: an HTML listing for a static folder without index.html.
 * Names are escaped, dotfiles hidden, dot-folders not listed (unless the
 * folder's `staticOptions.dotfiles` is 'allow'), and the path is contained in
 * the folder. Links are relative, so a folder is always listed at its URL with
 * the trailing slash (a redirect adds it, keeping the mount path).
 */
export function createServeIndexMiddleware(
  directory: string,
  options: { dotfiles?: unknown } = {},
): Middleware {
  const root = resolve(directory);
  const allowDotPaths = options.dotfiles === 'allow';
  return async (req, res, next) => {
    if (!isReadRequest(req)) return next();
    if (!allowDotPaths && isDotPath(req.url ?? '/')) return next();
    const pathname = decodePath(req.url ?? '/');
    if (pathname.includes('\0')) return next();
    const target = resolve(root, `.${pathname}`);
    if (target !== root && !target.startsWith(root + sep)) return next();
    try {
      const info = await stat(target);
      if (!info.isDirectory()) return next();
      if (!(originalUrl(req).split('?')[0] ?? '/').endsWith('/')) {
        redirectToFolder(req, res);
        return;
      }
      const entries = (await readdir(target, { withFileTypes: true }))
        .filter((entry) => !entry.name.startsWith('.'))
        .sort(
          (a, b) =>
            Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name),
        );
      const title = `/${relative(root, target).split(sep).join('/')}`.replace(/\/$/, '') || '/';
      const items = entries
        .map((entry) => {
          const name = entry.isDirectory() ? `${entry.name}/` : entry.name;
          return `<li><a href="${escapeHtml(encodeURIComponent(entry.name))}${entry.isDirectory() ? '/' : ''}">${escapeHtml(name)}</a></li>`;
        })
        .join('\n');
      const parent = pathname === '/' ? '' : '<li><a href="../">../</a></li>\n';
      const body = `<!doctype html>\n<html><head><meta charset="utf-8"><title>Index of ${escapeHtml(title)}</title></head>\n<body><h1>Index of ${escapeHtml(title)}</h1>\n<ul>\n${parent}${items}\n</ul></body></html>\n`;
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      next();
    }
  };
}
