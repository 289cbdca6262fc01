import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, sendText } from './request';

/** The final answer to a request no middleware took: express's 404 text, or a 500. */
export function finalHandler(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: { error(...args: unknown[]): void },
): void {
  if (error !== undefined) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendText(res, 500, 'Internal Server Error');
    return;
  }
  if (res.headersSent) return;
  if (req.method === 'OPTIONS') {
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const path = escapeHtml((req.url ?? '/').split('?')[0] ?? '/');
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${escapeHtml(req.method ?? 'GET')} ${path}</pre>\n</body>\n</html>\n`;
  res.statusCode = 404;
  res.setHeader('Content-Security-Policy', "default-src 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
