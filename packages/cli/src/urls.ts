import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ServerUrls } from './output';

type Interfaces = ReturnType<typeof networkInterfaces>;

const isUnspecified = (address: string): boolean => address === '0.0.0.0' || address === '::';
const isLoopback = (address: string): boolean =>
  address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';

const formatHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/**
 * The URLs of a listening server, from its bound address, for when the dev server does not
 * report them itself: `localhost` for loopback and any-address binds, plus every external IPv4
 * address of the machine for an any-address bind.
 */
export function computeUrls(
  address: AddressInfo,
  { https = false, requestedHost }: { https?: boolean; requestedHost?: string } = {},
  interfaces: Interfaces = networkInterfaces(),
): ServerUrls {
  const protocol = https ? 'https' : 'http';
  const url = (host: string): string => `${protocol}://${formatHost(host)}:${address.port}/`;
  if (isUnspecified(address.address)) {
    const network: string[] = [];
    for (const entries of Object.values(interfaces)) {
      for (const entry of entries ?? []) {
        if (!entry.internal && entry.family === 'IPv4') network.push(url(entry.address));
      }
    }
    return { local: url('localhost'), network };
  }
  if (isLoopback(address.address) || requestedHost === 'localhost') {
    return { local: url('localhost'), network: [] };
  }
  return { local: url(address.address), network: [] };
}
