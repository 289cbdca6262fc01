import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import escapeHtml from 'escape-html';

/** Whether the request reads (GET/HEAD), the only methods built-in routes answer. */
export function isReadRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/** A short plain-text answer (403s, 500s). */
export function sendText(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The decoded path of a request URL (without the query); the raw path if it does not decode. */
export function decodePath(url: string): string {
  const pathname = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** Escapes text for HTML bodies and attributes (listings, error pages): escape-html, express's. */
export { escapeHtml };

const ENTITY_HEADERS = [
  'accept-ranges',
  'cache-control',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'etag',
  'last-modified',
];

/** An HTML error page that names only the status (a static folder's 403, 416, 500). */
export function sendErrorPage(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  // What described the file does not describe the page; the Host check's and user's headers stay.
  for (const name of ENTITY_HEADERS) res.removeHeader(name);
  const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${escapeHtml(STATUS_CODES[status] ?? String(status))}</pre>\n</body>\n</html>\n`;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Security-Policy', "default-src 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The URL as it reached the server (before mount paths were taken off; express's `originalUrl`). */
export function originalUrl(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

/** A folder asked for without its trailing slash: 301 to it, mount path kept (`/static/sub` → `/static/sub/`). */
export function redirectToFolder(req: IncomingMessage, res: ServerResponse): void {
  const [path = '/', query] = originalUrl(req).split('?');
  // One leading slash: `//evil.example/` would be another host to the browser.
  const location = `${path.replace(/^\/+/, '/')}/${query === undefined ? '' : `?${query}`}`;
  res.statusCode = 301;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', '0');
  res.end();
}
