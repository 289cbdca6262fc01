import type { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { computeUrls } from './urls';

const interfaces = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fe80::1', family: 'IPv6', internal: false },
  ],
  wlan0: [{ address: '10.0.0.7', family: 'IPv4', internal: false }],
} as unknown as ReturnType<typeof networkInterfaces>;

const at = (address: string, port = 8080) => ({
  address,
  port,
  family: address.includes(':') ? 'IPv6' : 'IPv4',
});

describe('computeUrls (when the dev server has no getUrls)', () => {
  it('an any-address bind: localhost plus every external IPv4 address', () => {
    for (const address of ['0.0.0.0', '::']) {
      expect(computeUrls(at(address), {}, interfaces)).toEqual({
        local: 'http://localhost:8080/',
        network: ['http://192.168.1.20:8080/', 'http://10.0.0.7:8080/'],
      });
    }
  });

  it('a loopback bind: localhost only', () => {
    expect(computeUrls(at('127.0.0.1', 3000), {}, interfaces)).toEqual({
      local: 'http://localhost:3000/',
      network: [],
    });
    expect(computeUrls(at('::1', 3000), {}, interfaces).local).toBe('http://localhost:3000/');
  });

  it('a specific address: that address, IPv6 in brackets, https when the server is TLS', () => {
    expect(computeUrls(at('192.168.1.20'), { https: true }, interfaces)).toEqual({
      local: 'https://192.168.1.20:8080/',
      network: [],
    });
    expect(computeUrls(at('fd00::5'), {}, interfaces).local).toBe('http://[fd00::5]:8080/');
  });

  it('--host localhost reads as localhost whatever address it resolved to', () => {
    expect(computeUrls(at('10.0.0.7'), { requestedHost: 'localhost' }, interfaces).local).toBe(
      'http://localhost:8080/',
    );
  });
});
