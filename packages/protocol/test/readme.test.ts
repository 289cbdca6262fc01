import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readReadmeExamples, runReadmeExampleToExit } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';

// The README's example, type-checked against the packed package's .d.ts and run by Node.
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${PACKAGE_DIR}README.md`, 'utf8');

/** What the example prints, line by line; the README shows each line as a comment. */
const PRINTED = [
  '{"type":"hash","data":"5924659ef03d10c70570"}',
  '{"type":"ok"}',
  "[ { message: 'Module parse failed', moduleName: './a.js' } ]",
  'errors: boom',
  'dropped: unknown-type',
  'dropped: not-json',
  'protocol=ws%3A&hostname=0.0.0.0&port=8080&pathname=%2Fws&hot=true&live-reload=true',
  'wss://app.test:8080/ws',
];

describe('README examples, run as written', () => {
  it('has the examples this test runs', () => {
    expect([...readReadmeExamples(PACKAGE_DIR).keys()]).toEqual(['protocol']);
  });

  it('protocol: prints what its comments say', async () => {
    expect(await runReadmeExampleToExit(PACKAGE_DIR, 'protocol', ['protocol'])).toEqual(PRINTED);
    for (const line of PRINTED) expect(README).toContain(`// ${line}\n`);
  }, 60_000);
});
