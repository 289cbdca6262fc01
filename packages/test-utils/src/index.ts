import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recorded webpack-dev-server 5 wire transcripts, and hmrkit's push frame (see fixtures/README.md). */
export type FixtureName =
  | 'wds5-transcript'
  | 'wds5-problems'
  | 'wds5-progress-overlay'
  | 'wds5-rejected'
  | 'wds5-sockjs'
  | 'wds5-client-entry'
  | 'hmrkit-push';

export const FIXTURES_DIR: string = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function loadFixture<T = unknown>(name: FixtureName): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as T;
}

/**
 * Every server→client message text recorded in a fixture: `phases[].messages[]`
 * with `dir: "server→client"` (transcript), `frames[]` of `kind: "text"`
 * (problems, progress, rejected), and the `innerMessages` of sockjs `a[...]`
 * frames. Sockjs transport frames themselves (`o`, `h`, `a[...]`) are skipped.
 */
export function collectServerFrames(fixture: unknown): string[] {
  const frames: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.innerMessages)) {
      for (const inner of record.innerMessages) if (typeof inner === 'string') frames.push(inner);
    } else if (
      typeof record.text === 'string' &&
      (record.dir === 'server\u2192client' || record.kind === 'text') &&
      record.text.startsWith('{')
    ) {
      frames.push(record.text);
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(fixture);
  return frames;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before returning). */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temp directory and a function that removes it. */
export async function createTempDir(
  prefix = 'hmrkit-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await delay(intervalMs);
  }
}

/** Debian's Chromium, which `.ci/run` installs (never a Playwright download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with: headless, no sandbox, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export { buildTraversalCorpus, TRAVERSAL_MARKER } from './traversal';
