// `publint --strict` for a package whose exports map has query subpaths such as
// `"./poll?*": { "import": "./dist/poll.js?*" }`. webpack's resolver matches an
// entry's query against the exports map (`@hmrkit/runtime/poll?200` looks up
// "./poll?200"), and keeps only the target's query, so these keys are what make
// the documented entries resolve. publint reads the target as a file glob and
// warns that no file is named `poll.js?…`; that one warning, for keys with a
// query, is left out. Every other message counts as with `publint --strict`.
// Usage (in a package folder): node ../../scripts/publint.mjs
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const isQuerySubpathGlob = (message) =>
  message.code === 'EXPORTS_GLOB_NO_MATCHED_FILES' &&
  message.path[0] === 'exports' &&
  typeof message.path[1] === 'string' &&
  message.path[1].includes('?');

const { messages, pkg } = await publint({ pkgDir: process.cwd(), strict: true, pack: 'pnpm' });
const skipped = messages.filter(isQuerySubpathGlob);
const reported = messages.filter((message) => !isQuerySubpathGlob(message));
console.log(
  `publint --strict for ${pkg.name}: ${skipped.length} query subpath glob(s) not checked.`,
);
for (const type of ['error', 'warning', 'suggestion']) {
  const ofType = reported.filter((message) => message.type === type);
  for (const [i, message] of ofType.entries()) {
    console.log(`${type} ${i + 1}. ${formatMessage(message, pkg)}`);
  }
}
if (reported.some((message) => message.type === 'error')) process.exitCode = 1;
else if (reported.length === 0) console.log('All good!');
