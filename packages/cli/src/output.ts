import { getChildStats } from '@hmrkit/dev-server';
import picocolors from 'picocolors';
import type { MultiStats, Stats, StatsOptions } from 'webpack';

type Colorize = (text: string) => string;

/** The few styles the CLI uses (picocolors' functions, or identity without colors). */
export interface Colors {
  red: Colorize;
  green: Colorize;
  yellow: Colorize;
  cyan: Colorize;
  dim: Colorize;
  bold: Colorize;
}

/** What the CLI writes to: `process.stdout`-like streams. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colors on or off: `--color`/`--no-color` win, then `NO_COLOR` (any value, see no-color.org),
 * then `FORCE_COLOR` (anything but `0`/`false`), then whether stdout is a terminal.
 */
export function shouldUseColor(
  flag: boolean | undefined,
  env: Record<string, string | undefined>,
  stream: OutputStream,
): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export const createColors = (enabled: boolean): Colors => picocolors.createColors(enabled);

/** One build summarized: counts over every child compiler and the wall time they took. */
export interface BuildSummary {
  errors: number;
  warnings: number;
  /** Milliseconds from the first child's start to the last child's end. */
  time: number;
  /** Number of compilers (1 unless a MultiCompiler). */
  compilers: number;
}

/**
 * Counts errors and warnings over every child compiler; the time runs from the first start to
 * the last end of the children that built this round. A MultiCompiler rebuild hands over the
 * previous Stats objects of the children that did not rebuild; pass the children of the last
 * summary as `previous` so their old times do not stretch the span.
 */
export function summarizeBuild(
  stats: Stats | MultiStats,
  previous: readonly Stats[] = [],
): BuildSummary {
  const children = getChildStats(stats);
  let errors = 0;
  let warnings = 0;
  for (const child of children) {
    // errorsCount/warningsCount include child compilations (e.g. html-webpack-plugin's).
    const json = child.toJson({ all: false, errorsCount: true, warningsCount: true });
    errors += json.errorsCount ?? 0;
    warnings += json.warningsCount ?? 0;
  }
  const fresh = children.filter((child) => !previous.includes(child));
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const child of fresh.length > 0 ? fresh : children) {
    start = Math.min(start, child.startTime);
    end = Math.max(end, child.endTime);
  }
  // MultiCompiler children run in parallel: the wall time is what the user waited for.
  const time = Number.isFinite(start) && end >= start ? end - start : 0;
  return { errors, warnings, time, compilers: children.length };
}

/** The child Stats of a build, to pass as `previous` to the next `summarizeBuild`. */
export const childStatsOf = (stats: Stats | MultiStats): Stats[] => [...getChildStats(stats)];

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `✓ compiled in 18 ms`, `✗ compiled with 2 errors in 30 ms`, `⚠ compiled with 1 warning in 25 ms`. */
export function formatBuildLine(summary: BuildSummary, colors: Colors): string {
  const time = `in ${summary.time} ms`;
  const what = summary.compilers > 1 ? `compiled ${summary.compilers} configs` : 'compiled';
  if (summary.errors > 0) {
    const also = summary.warnings > 0 ? ` and ${plural(summary.warnings, 'warning')}` : '';
    return `${colors.red('✗')} ${what} with ${colors.red(plural(summary.errors, 'error'))}${also} ${colors.dim(time)}`;
  }
  if (summary.warnings > 0) {
    return `${colors.yellow('⚠')} ${what} with ${colors.yellow(plural(summary.warnings, 'warning'))} ${colors.dim(time)}`;
  }
  return `${colors.green('✓')} ${what} ${colors.dim(time)}`;
}

/** webpack's own text for the errors and warnings, without stacks or module traces. */
export function formatProblems(stats: Stats | MultiStats, colors: boolean): string {
  const options: StatsOptions = {
    preset: 'errors-warnings',
    colors,
    errorStack: false,
    moduleTrace: false,
    // The count summary is already in our status line.
    errorsCount: false,
    warningsCount: false,
  };
  const children = getChildStats(stats);
  const text =
    children[0] === stats
      ? stats.toString(options)
      : stats.toString({ children: children.map(() => options) } as StatsOptions);
  return text.trim();
}

export interface ServerUrls {
  local: string;
  network: string[];
}

/** The block printed once the server listens. */
export function formatUrls(urls: ServerUrls, colors: Colors, staticDirs: string[] = []): string {
  const arrow = colors.green('➜');
  const lines = [
    '',
    `  ${colors.bold('hmrkit')} dev server running`,
    '',
    `  ${arrow}  ${colors.bold('Local:')}   ${colors.cyan(urls.local)}`,
  ];
  for (const url of urls.network)
    lines.push(`  ${arrow}  ${colors.bold('Network:')} ${colors.cyan(url)}`);
  for (const dir of staticDirs)
    lines.push(`  ${arrow}  ${colors.bold('Static:')}  ${colors.dim(dir)}`);
  lines.push('');
  return `${lines.join('\n')}\n`;
}
