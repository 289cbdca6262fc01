import { describe, expect, it } from 'vitest';
import { request, useDevServers, watcherSettled } from './helpers';

const servers = useDevServers();

describe('DevServer: stop() then start() on the same instance', () => {
  it('serves the bundle and the socket again after an in-process restart', async () => {
    const { port, project, server } = await servers.start();
    const before = await request(port, '/main.js');
    expect(before.status).toBe(200);

    await server.stop();
    await expect(request(port, '/main.js')).rejects.toThrow();

    await server.start();
    const after = await request(port, '/main.js');
    expect(after.status).toBe(200);
    expect(after.headers['content-type']).toMatch(/javascript/);
    expect(after.body).toBe(before.body);

    // The socket greets and reports the build as on a first start.
    await watcherSettled(server.compiler);
    const client = await servers.frames(`ws://127.0.0.1:${port}/ws`);
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);

    // And edits still rebuild and reach the client.
    client.frames.length = 0;
    project.write('src/index.js', "document.title = 'v2';\n");
    await client.waitForType('ok');
    expect(client.types()).toContain('hash');
    expect((await request(port, '/main.js')).body).toContain('v2');
  });
});
