import type { CompileProblem } from './messages';

/** The only fields of a webpack stats error that go over the wire. */
export const PROBLEM_FIELDS: readonly (keyof CompileProblem)[] = [
  'message',
  'moduleName',
  'moduleIdentifier',
  'loc',
  'file',
  'details',
  'stack',
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * Turns a webpack stats error (a `stats.toJson()` item, a `WebpackError`, or
 * the plain string webpack 4 used) into a wire problem. Only whitelisted
 * string fields are copied, in the order the input has them, so that the frame
 * matches webpack-dev-server's; everything else (compilation references,
 * module graphs, ids, `chunkName`…) is dropped. Never throws.
 */
export function normalizeProblem(error: unknown): CompileProblem {
  if (typeof error === 'string') return { message: error };
  if (!isRecord(error)) return { message: String(error) };
  const problem: Partial<Record<keyof CompileProblem, string>> = {};
  const copy = (key: keyof CompileProblem): void => {
    let value: unknown;
    try {
      value = error[key];
    } catch {
      return; // a throwing getter is treated as a missing field
    }
    if (typeof value === 'string') problem[key] = value;
  };
  // Own enumerable keys first, to keep the input's order…
  for (const key of Object.keys(error)) {
    if ((PROBLEM_FIELDS as readonly string[]).includes(key)) copy(key as keyof CompileProblem);
  }
  // …then the non-enumerable ones an Error instance carries (message, stack).
  for (const key of PROBLEM_FIELDS) if (problem[key] === undefined) copy(key);
  return { ...problem, message: problem.message ?? '' } as CompileProblem;
}

/** `normalizeProblem` over a list; a non-array gives an empty list. */
export function normalizeProblems(errors: unknown): CompileProblem[] {
  return Array.isArray(errors) ? errors.map(normalizeProblem) : [];
}
