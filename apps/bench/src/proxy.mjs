// The network-distance mode: a loopback TCP proxy in front of a dev server that delays each
// direction by RTT/2, so the page (HTTP and its socket alike) sees a remote server.
import { connect, createServer } from 'node:net';

/**
 * @typedef {object} DelayProxy
 * @property {number} port       where the page connects
 * @property {() => Promise<void>} close
 */

/**
 * Forwards `chunk`s after `delayMs`, in order: Node fires timers of the same duration in the
 * order they were set, so bytes never overtake each other.
 * @param {import('node:net').Socket} from
 * @param {import('node:net').Socket} to
 * @param {number} delayMs
 */
function pipeDelayed(from, to, delayMs) {
  from.on('data', (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}

/**
 * Listens on a free loopback port and forwards every connection to `targetPort`, each
 * direction `rttMs / 2` late (Nagle off on both legs: a proxy must not add its own delay).
 * @param {number} targetPort
 * @param {number} rttMs
 * @returns {Promise<DelayProxy>}
 */
export async function startDelayProxy(targetPort, rttMs) {
  const half = rttMs / 2;
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    pipeDelayed(client, upstream, half);
    pipeDelayed(upstream, client, half);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
