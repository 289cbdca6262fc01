import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type ServerOptions as HttpServerOptions,
  type RequestListener,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { BlockList, createServer as createNetServer, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { isAnyAddress } from '@hmrkit/protocol';
import { DevServerError } from './errors';
import type { NormalizedOptions } from './options';
import { requireOptionalPeer } from './peers';

/** The first port tried when none is given (webpack-dev-server's, overridable the same way). */
export const DEFAULT_BASE_PORT = 8080;

function isPortFree(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => {
      probe.close(() => resolve(true));
    });
  });
}

/**
 * The port to listen on: a given number as is; for none or `'auto'`, the first
 * free one from `WEBPACK_DEV_SERVER_BASE_PORT` (8080) upward, trying
 * `WEBPACK_DEV_SERVER_PORT_RETRY` × 100 ports (as webpack-dev-server's env
 * variables), then any free port.
 */
export async function findFreePort(
  port: number | 'auto' | undefined,
  host?: string,
): Promise<number> {
  // A given port was validated by normalizePort (the one place it is checked).
  if (typeof port === 'number') return port;
  const base = Number(process.env.WEBPACK_DEV_SERVER_BASE_PORT ?? DEFAULT_BASE_PORT);
  const tries = Math.max(1, Number(process.env.WEBPACK_DEV_SERVER_PORT_RETRY ?? 3)) * 100;
  const bindHost = host === undefined || host === 'localhost' ? undefined : host;
  for (let candidate = base; candidate < Math.min(65536, base + tries); candidate++) {
    if (await isPortFree(candidate, bindHost)) return candidate;
  }
  return 0;
}

/** The first non-internal address of a family, for `host: 'local-ip'` and the network URLs. */
export function findInternalIp(family: 'v4' | 'v6'): string | undefined {
  const wanted = family === 'v4' ? 'IPv4' : 'IPv6';
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.family !== wanted) continue;
      // Link-local v6 addresses need a zone and are useless in a URL.
      if (wanted === 'IPv6' && address.address.startsWith('fe80')) continue;
      return address.address;
    }
  }
  return undefined;
}

// IPv6 ranges webpack-dev-server's findIp keeps (ipaddr.js names): ipv4Mapped, uniqueLocal, loopback.
const KEPT_V6 = new BlockList();
KEPT_V6.addSubnet('::ffff:0:0', 96, 'ipv6');
KEPT_V6.addSubnet('fc00::', 7, 'ipv6');
KEPT_V6.addAddress('::1', 'ipv6');

/**
 * webpack-dev-server 5's `Server.findIp(gatewayOrFamily, isInternal)`. With
 * `'v4'`/`'v6'`: the first address of that family (internal or not, when
 * `isInternal` is given; IPv6 only ipv4-mapped, unique-local or loopback),
 * IPv6 in brackets. With a gateway address: the address of the interface
 * whose subnet contains it. `undefined` when there is none.
 */
export function findIp(gatewayOrFamily: string, isInternal?: boolean): string | undefined {
  const interfaces = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  if (gatewayOrFamily === 'v4' || gatewayOrFamily === 'v6') {
    const family = gatewayOrFamily === 'v4' ? 'IPv4' : 'IPv6';
    const found = interfaces.find(
      (network) =>
        Boolean(network.address) &&
        network.family === family &&
        (isInternal === undefined || network.internal === isInternal) &&
        (family === 'IPv4' || KEPT_V6.check(network.address, 'ipv6')),
    );
    if (!found) return undefined;
    return found.address.includes(':') ? `[${found.address}]` : found.address;
  }
  const kind = isIP(gatewayOrFamily);
  if (kind === 0) {
    throw new TypeError(
      `findIp: ${JSON.stringify(gatewayOrFamily)} is neither "v4", "v6" nor an IP address.`,
    );
  }
  const type = kind === 4 ? 'ipv4' : 'ipv6';
  for (const network of interfaces) {
    const [address, prefix] = (network.cidr ?? '').split('/');
    if (!address || prefix === undefined || isIP(address) !== kind) continue;
    const subnet = new BlockList();
    subnet.addSubnet(address, Number(prefix), type);
    if (subnet.check(gatewayOrFamily, type)) return address;
  }
  return undefined;
}

/** Resolves `local-ip`, `local-ipv4` and `local-ipv6` to an address (else the any-address). */
export function resolveHost(host: string | undefined): string | undefined {
  switch (host) {
    case 'local-ip':
      return findInternalIp('v4') ?? findInternalIp('v6') ?? '0.0.0.0';
    case 'local-ipv4':
      return findInternalIp('v4') ?? '0.0.0.0';
    case 'local-ipv6':
      return findInternalIp('v6') ?? '::';
    default:
      return host;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function formatUrlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export interface ServerUrls {
  /** Where this machine reaches the server. */
  local: string;
  /** Where other machines on the network reach it (only when listening on all interfaces). */
  network: string[];
}

/** The URLs to print and open, as webpack-dev-server lists them. */
export function getServerUrls(host: string | undefined, port: number, secure: boolean): ServerUrls {
  const protocol = secure ? 'https' : 'http';
  const url = (name: string): string => `${protocol}://${formatUrlHost(name)}:${port}/`;
  if (host === undefined || isAnyAddress(host)) {
    const network: string[] = [];
    const v4 = findInternalIp('v4');
    if (v4) network.push(url(v4));
    if (host !== '0.0.0.0') {
      const v6 = findInternalIp('v6');
      if (v6) network.push(url(v6));
    }
    return { local: url('localhost'), network };
  }
  if (LOOPBACK.has(host))
    return { local: url(host === '127.0.0.1' ? host : 'localhost'), network: [] };
  return { local: url(host), network: [] };
}

/** A TLS option given as a file path or as the content itself (webpack-dev-server accepts both). */
function readTlsValue(value: unknown): unknown {
  if (
    typeof value === 'string' &&
    value.length < 4096 &&
    !value.includes('\n') &&
    existsSync(value)
  ) {
    if (statSync(value).isFile()) return readFileSync(value);
  }
  if (Array.isArray(value)) return value.map(readTlsValue);
  return value;
}

interface SelfsignedModule {
  generate(
    attrs: Array<{ name: string; value: string }>,
    options: Record<string, unknown>,
  ): { private: string; cert: string } | Promise<{ private: string; cert: string }>;
}

const CERT_DAYS = 30;

/** What `selfsigned` is for, in the message when it is missing. */
export const SELFSIGNED_PURPOSE =
  'devServer.server "https" without a key and cert (a self-signed certificate; or pass server.options.key and server.options.cert)';

const certificateCache = (cwd: string): { cacheDir: string; pemPath: string } => {
  const cacheDir = join(cwd, 'node_modules', '.cache', 'hmrkit-dev-server');
  return { cacheDir, pemPath: join(cacheDir, 'server.pem') };
};

/** The cached self-signed certificate, if there is one younger than 30 days. */
export function readCachedCertificate(cwd: string): { key: string; cert: string } | undefined {
  try {
    const { pemPath } = certificateCache(cwd);
    if (Date.now() - statSync(pemPath).mtimeMs >= CERT_DAYS * 86_400_000) return undefined;
    const pem = readFileSync(pemPath, 'utf8');
    const key =
      /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(pem);
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
    return key && cert ? { key: key[0], cert: cert[0] } : undefined;
  } catch {
    return undefined; // no cache yet
  }
}

/** Whether the `server` option needs a generated certificate (https with no key/cert or pfx). */
export function needsGeneratedCertificate(server: NormalizedOptions['server']): boolean {
  const { options } = server;
  return (
    server.type === 'https' &&
    options.pfx === undefined &&
    (options.key === undefined || options.cert === undefined)
  );
}

/**
 * A self-signed certificate for localhost, from the optional peer `selfsigned`,
 * cached in `node_modules/.cache/hmrkit-dev-server/server.pem` and renewed
 * after 30 days (webpack-dev-server's policy).
 */
export async function getSelfSignedCertificate(
  cwd: string,
): Promise<{ key: string; cert: string }> {
  const cached = readCachedCertificate(cwd);
  if (cached) return cached;
  const selfsigned = requireOptionalPeer<SelfsignedModule>(
    'selfsigned',
    cwd,
    SELFSIGNED_PURPOSE,
    'server',
  );
  const { cacheDir, pemPath } = certificateCache(cwd);
  const notAfter = new Date(Date.now() + CERT_DAYS * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    days: CERT_DAYS,
    keySize: 2048,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: '*.localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(pemPath, `${pems.private}\n${pems.cert}\n`, { mode: 0o600 });
  } catch {
    // a read-only project still gets its certificate, just not cached
  }
  return { key: pems.private, cert: pems.cert };
}

/** Creates the http or https server for the normalized `server` option. */
export async function createNodeServer(
  server: NormalizedOptions['server'],
  listener: RequestListener,
  cwd: string,
): Promise<Server> {
  // As webpack-dev-server: `server.options` go to http.createServer too (timeouts, header limits).
  if (server.type === 'http')
    return createHttpServer(server.options as HttpServerOptions, listener);
  if (server.type === 'custom') {
    // webpack-dev-server 5 passes the options as given (paths are the factory's business).
    const created = await server.create?.({ ...server.options }, listener);
    if (!created || typeof (created as Server).listen !== 'function') {
      throw new DevServerError(
        'INVALID_OPTION',
        'Invalid options: devServer.server: the custom server factory must return a node http(s) server.',
        { option: 'devServer.server' },
      );
    }
    return created;
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(server.options)) options[key] = readTlsValue(value);
  if (options.requestCert === undefined) options.requestCert = false;
  if (needsGeneratedCertificate(server)) {
    const generated = await getSelfSignedCertificate(cwd);
    options.key ??= generated.key;
    options.cert ??= generated.cert;
  }
  return createHttpsServer(options as ServerOptions, listener) as unknown as Server;
}
