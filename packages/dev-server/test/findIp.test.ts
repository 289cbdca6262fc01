import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';

const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);

describe('DevServer.findIp / internalIP / internalIPSync (webpack-dev-server 5 statics)', () => {
  it('finds the loopback addresses as internal ones, IPv6 in brackets', () => {
    expect(DevServer.findIp('v4', true)).toBe('127.0.0.1');
    if (all.some((network) => network.address === '::1')) {
      expect(DevServer.findIp('v6', true)).toBe('[::1]');
    }
  });

  it('finds the first external IPv4 address, which internalIP(Sync) return too', async () => {
    const external = all.find((network) => network.family === 'IPv4' && !network.internal);
    expect(DevServer.findIp('v4', false)).toBe(external?.address);
    expect(DevServer.internalIPSync('v4')).toBe(external?.address);
    await expect(DevServer.internalIP('v4')).resolves.toBe(external?.address);
    // Any IPv4 address when internal-ness does not matter: the first listed.
    expect(DevServer.findIp('v4')).toBe(all.find((network) => network.family === 'IPv4')?.address);
  });

  it('finds the interface whose subnet contains a gateway address', () => {
    expect(DevServer.findIp('127.1.2.3')).toBe('127.0.0.1');
    const external = all.find((network) => network.family === 'IPv4' && !network.internal);
    if (external) {
      // The first address of the interface's subnet, as a router would have it.
      const [a, b, c] = external.address.split('.');
      const prefix = Number(external.cidr?.split('/')[1]);
      if (prefix <= 24) expect(DevServer.findIp(`${a}.${b}.${c}.1`)).toBe(external.address);
    }
    // TEST-NET-3, unless this machine is on it.
    if (!all.some((network) => network.cidr?.startsWith('203.0.113.'))) {
      expect(DevServer.findIp('203.0.113.1')).toBeUndefined();
    }
    expect(() => DevServer.findIp('not-an-ip')).toThrow(/neither "v4", "v6" nor an IP address/);
  });
});
