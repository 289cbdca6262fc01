import { createServer, type IncomingMessage, type Server } from 'node:http';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';
import { DevServer, DevServerError } from '../src/index';
import { BYPASS_DEPRECATION } from '../src/proxy';
import { createCompiler, createProject, type Project, request, useDevServers } from './helpers';

// `proxy[].bypass` as webpack-dev-server 5.2.7 runs it (checked side by side): deprecated there,
// with a DeprecationWarning, but run.

let project: Project | undefined;
let server: DevServer | undefined;
const servers = useDevServers(() => [server, project]);

async function startBackend(): Promise<number> {
  const port = await getFreePort();
  const backend: Server = createServer((req, res) => res.end(`backend ${req.url}`));
  await new Promise<void>((resolve) => backend.listen(port, '127.0.0.1', resolve));
  servers.defer(
    () =>
      new Promise<void>((resolve) => {
        backend.closeAllConnections();
        backend.close(() => resolve());
      }),
  );
  return port;
}

describe('DevServer: proxy[].bypass', () => {
  it('runs bypass: false/true → 404, a path → that path served, undefined → proxied; warns once', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    servers.defer(() => process.off('warning', onWarning));

    const target = `http://127.0.0.1:${await startBackend()}`;
    const seen: Array<{ url: string | undefined; target: unknown }> = [];
    const bypass = (req: IncomingMessage, _res: unknown, config: { target?: unknown }) => {
      seen.push({ url: req.url, target: config.target });
      switch (req.url) {
        case '/api/false':
          return false;
        case '/api/true':
          return true;
        case '/api/page':
          return '/main.js';
        case '/api/async':
          return Promise.resolve('/main.js');
        default:
          return undefined;
      }
    };
    project = await createProject({
      'src/index.js': "document.title = 'bypassed to the bundle';\n",
    });
    server = new DevServer(
      {
        host: '127.0.0.1',
        port: await getFreePort(),
        static: false,
        setupExitSignals: false,
        proxy: [
          { context: ['/api'], target, bypass },
          // No target: only the bypass runs (webpack-dev-server allows it).
          { context: ['/only'], bypass: () => '/main.js' },
        ],
      },
      createCompiler(project.dir),
    );
    await server.start();
    await server.middleware?.ready();
    const port = server.options.port as number;

    const denied = await request(port, '/api/false');
    expect(denied.status).toBe(404);
    expect(denied.body).toContain('<pre>Cannot GET </pre>');
    expect((await request(port, '/api/true')).status).toBe(404);
    for (const path of ['/api/page', '/api/async', '/only/anything']) {
      const served = await request(port, path);
      expect(served.status).toBe(200);
      expect(served.body).toContain('bypassed to the bundle');
    }
    const proxied = await request(port, '/api/other');
    expect(proxied).toMatchObject({ status: 200, body: 'backend /api/other' });

    // bypass(req, res, proxyConfig), before the context filter, as webpack-dev-server calls it.
    expect(seen.map((call) => call.url)).toEqual([
      '/api/false',
      '/api/true',
      '/api/page',
      '/api/async',
      '/only/anything',
      '/api/other',
    ]);
    expect(seen.every((call) => call.target === target)).toBe(true);

    await waitFor(() => warnings.length > 0, { message: 'the DeprecationWarning' });
    const bypassWarnings = warnings.filter(
      (w) => (w as Error & { code?: string }).code === BYPASS_DEPRECATION.code,
    );
    expect(bypassWarnings).toHaveLength(1);
    expect(bypassWarnings[0]?.name).toBe('DeprecationWarning');
    expect(bypassWarnings[0]?.message).toBe(
      "Using the 'bypass' option is deprecated. Please use the 'router' or 'context' options. Read more at https://github.com/chimurai/http-proxy-middleware/tree/v2.0.6#http-proxy-middleware-options",
    );
  });

  it('rejects a bypass that is not a function at construction', async () => {
    project = await createProject();
    expect(
      () =>
        new DevServer(
          { proxy: [{ context: '/api', target: 'http://127.0.0.1:1', bypass: '/index.html' }] },
          createCompiler(project?.dir as string),
        ),
    ).toThrow(DevServerError);
    expect(
      () =>
        new DevServer(
          { proxy: [{ context: '/api', target: 'http://127.0.0.1:1', bypass: '/index.html' }] },
          createCompiler(project?.dir as string),
        ),
    ).toThrow(/devServer\.proxy\[0\]\.bypass/);
  });
});
