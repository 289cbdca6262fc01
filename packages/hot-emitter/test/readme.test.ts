import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readReadmeExamples, runReadmeExampleToExit } from '@hmrkit/test-utils';
import { describe, expect, it } from 'vitest';

// The README's example, type-checked against the packed package's .d.ts and run by Node.
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${PACKAGE_DIR}README.md`, 'utf8');

/** What the example prints, line by line; the README ends the example with these as comments. */
const PRINTED = [
  'one instance: true',
  'new build 5924659ef03d10c70570',
  'event target 5924659ef03d10c70570',
  'a "saved" listener threw: disk full',
  'saved /src/a.ts',
  'listeners left: 1',
];

describe('README examples, run as written', () => {
  it('has the examples this test runs', () => {
    expect([...readReadmeExamples(PACKAGE_DIR).keys()]).toEqual(['hot-emitter']);
  });

  it('hot-emitter: one instance across copies, both listener kinds, errors isolated', async () => {
    expect(await runReadmeExampleToExit(PACKAGE_DIR, 'hot-emitter', ['hot-emitter'])).toEqual(
      PRINTED,
    );
    for (const line of PRINTED) expect(README).toContain(`// ${line}\n`);
  }, 60_000);
});
