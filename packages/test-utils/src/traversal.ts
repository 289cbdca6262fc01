// The path traversal corpus: one list, run against every way hmrkit serves files.

/** What every secret file of the corpus contains; a reply that contains it leaked. */
export const TRAVERSAL_MARKER = 'TOP-SECRET-OUTSIDE-THE-OUTPUT';

/** `..` spelled every way we know of (all ASCII on the wire; the client refuses raw UTF-8). */
const TRAVERSAL_DOTDOTS = [
  '..',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%2E.',
  '%252e%252e',
  '%25%32%65%25%32%65',
  '%c0%ae%c0%ae',
  '%e0%80%ae%e0%80%ae',
  '%c0%2e%c0%2e',
  '%ef%bc%8e%ef%bc%8e',
  '%u002e%u002e',
];
const SEPARATORS = [
  '/',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '\\',
  '%252f',
  '%c0%af',
  '%e0%80%af',
  '//',
  '/./',
  '%2f%2e%2f',
];
const DEPTHS = [1, 2, 3, 5];
const PREFIXES = ['/public/', '/'];
const TARGETS = ['secret.txt', 'etc/passwd'];

/**
 * Hostile URLs that try to leave a folder served under `/public/`: `..` and separators
 * spelled every way we know of, absolute paths, null bytes, very long and badly encoded
 * paths. `root` is the absolute folder the secrets (`secret.txt`, `etc/passwd`) sit in,
 * at every level above the served folder (up to 5). Shared by memfs-middleware's and
 * dev-server's static folder tests.
 */
export function buildTraversalCorpus(root: string): string[] {
  const urls = new Set<string>();
  for (const prefix of PREFIXES) {
    for (const dotdot of TRAVERSAL_DOTDOTS) {
      for (const separator of SEPARATORS) {
        for (const depth of DEPTHS) {
          for (const target of TARGETS) {
            urls.add(prefix + `${dotdot}${separator}`.repeat(depth) + target);
          }
        }
      }
    }
  }
  const extra = [
    // absolute paths and authority tricks
    '/etc/passwd',
    '//etc/passwd',
    '///etc/passwd',
    '/public//etc/passwd',
    '/public///etc/passwd',
    `/public/${root}/secret.txt`,
    `/${root}/secret.txt`,
    `/public/${encodeURIComponent(`${root}/secret.txt`)}`,
    `/public/%2f${root.slice(1)}/secret.txt`,
    `http://127.0.0.1/public/../../secret.txt`,
    `http://127.0.0.1/public/..%2f..%2fsecret.txt`,
    'file:///etc/passwd',
    '/public/file:///etc/passwd',
    '/public/C:%5cWindows%5cwin.ini',
    '/public/..;/secret.txt',
    '/public/.../secret.txt',
    '/public/..../secret.txt',
    '/public/. ./secret.txt'.replace(' ', '%20'),
    // null bytes
    '/public/inside.txt%00',
    '/public/inside.txt%00.js',
    '/public/%00../secret.txt',
    '/public/..%00/secret.txt',
    '/public/%2500',
    '/%00',
    // very long paths
    `/public/${'a/'.repeat(3000)}${'../'.repeat(3001)}secret.txt`,
    `/public/${'..%2f'.repeat(1500)}secret.txt`,
    `/public/${'x'.repeat(10000)}`,
    `/public/${'%2e%2e%2f'.repeat(900)}etc/passwd`,
    // invalid percent-encoding
    '/public/%',
    '/public/%%',
    '/public/%zz../secret.txt',
    '/public/%2e%2',
    '/public/..%',
    '/public/%ff%fe/../secret.txt',
    '/public/%c0',
    '/public/%e0%80',
    '/public/%2e%2e%2fsecret.txt%',
    // mixed
    '/public/.%2e/%2e./secret.txt',
    '/public/..%2f..%5c..\\secret.txt',
    '/public/%2e%2e/./%2e%2e/secret.txt',
    '/public/inside.txt/../../secret.txt',
    '/public/sub/../../secret.txt',
    '/public/sub/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/public/sub/..%2F..%2F..%2Fsecret.txt',
    '/public/./../secret.txt',
    '/public/..?/secret.txt',
    '/public/..#/secret.txt',
    '/public/..%3f/secret.txt',
    '/public/..%23/../secret.txt',
  ];
  for (const url of extra) urls.add(url);
  return [...urls];
}
