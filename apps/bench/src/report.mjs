// Turning sessions into figures: summaries, the markdown tables and the SVG chart.
import { PAIRS, TARGETS } from './targets.mjs';

/**
 * @typedef {{ min: number, median: number, max: number, count: number }} Summary
 * @typedef {import('./session.mjs').SessionResult} SessionResult
 * @typedef {import('./session.mjs').EditResult} EditResult
 */

/**
 * @param {(number | null | undefined)[]} values
 * @returns {Summary | null}
 */
export function summarize(values) {
  const sorted = values
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .map(Number)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], count: sorted.length };
}

/**
 * Everything measured for one target at one N and devtool, pooled over its rounds.
 * @param {SessionResult[]} sessions
 * @param {number[]} extraColdStarts
 */
export function summarizeTarget(sessions, extraColdStarts) {
  const leaf = sessions.flatMap((s) => s.leaf);
  const plain = sessions.flatMap((s) => s.plain);
  /** @param {(edit: EditResult) => number | null} pick */
  const over = (pick) => summarize(leaf.map(pick));
  const since = (/** @type {number | null} */ a, /** @type {number | null} */ b) =>
    a === null || b === null ? null : a - b;
  return {
    leaf: over((e) => e.dom),
    rebuild: over((e) => e.rebuild),
    overhead: over((e) => since(e.dom, e.rebuild)),
    // HTTP requests the page made between the write and the DOM change (0 with a pushed update).
    requests: over((e) => (typeof e.requests === 'number' ? e.requests : null)),
    breakdown: {
      // webpack's done (first done tap) → `ok` received by the page, both on Date.now().
      doneToPageOk: over((e) => (typeof e.doneToOk === 'number' ? e.doneToOk : null)),
      // webpack's done → the `ok` frame written to the socket, inside the server.
      doneToSent: over((e) => (typeof e.doneToSent === 'number' ? e.doneToSent : null)),
      firstFrame: over((e) => e.firstFrame),
      compileStart: over((e) => e.compileStart),
      hash: over((e) => e.hash),
      ok: over((e) => e.ok),
      okToDom: over((e) => since(e.dom, e.ok)),
      okToFetch: over((e) => since(e.fetchStart, e.ok)),
      fetch: over((e) => since(e.fetchEnd, e.fetchStart)),
      fetchedToDom: over((e) => since(e.dom, e.fetchEnd)),
      // How long the server took to start answering the manifest request: its event loop is
      // shared with webpack, which re-arms its file watchers right after `done`.
      manifestWait: over((e) => {
        const json = e.fetches?.find((f) => f.file === 'json');
        return json ? json.firstByte - json.start : null;
      }),
      doneToOk: over((e) =>
        e.ok === null || e.compileStart === null || e.rebuild === null
          ? null
          : e.ok - e.compileStart - e.rebuild,
      ),
    },
    cpuPerEdit: summarize(sessions.map((s) => s.cpuPerEdit)),
    unaccepted: summarize(plain.map((e) => e.dom)),
    unacceptedRebuild: summarize(plain.map((e) => e.rebuild)),
    cold: summarize([...sessions.map((s) => s.cold), ...extraColdStarts]),
    listening: summarize(sessions.map((s) => s.listening)),
    firstBuild: summarize(sessions.map((s) => s.firstBuild)),
    rssWarm: summarize(sessions.map((s) => s.rssWarm)),
    rssAfter: summarize(sessions.map((s) => s.rssAfter)),
    heapAfterGc: summarize(sessions.map((s) => s.heap?.heapUsedAfterGc)),
    rssAfterGc: summarize(sessions.map((s) => s.heap?.rssAfterGc)),
    memEdits: Math.max(0, ...sessions.filter((s) => s.rssAfter !== null).map((s) => s.editCount)),
    // Builds beyond one per edit: the watcher built a half-written file, then the whole one.
    extraBuilds: [...leaf, ...plain].reduce(
      (sum, e) => sum + (typeof e.builds === 'number' ? Math.max(0, e.builds - 1) : 0),
      0,
    ),
    // An accepted edit that reloaded the page, or an unaccepted one that did not, is a failure.
    hmrFailures: leaf.filter((e) => e.reloaded).length + plain.filter((e) => !e.reloaded).length,
    hmrFailuresLeaf: leaf.filter((e) => e.reloaded).length,
  };
}

/** @typedef {ReturnType<typeof summarizeTarget>} TargetSummary */

const MB = 1024 * 1024;

/** @param {number | null | undefined} ms */
const fmtMs = (ms) => (typeof ms === 'number' ? `${Math.round(ms)} ms` : '–');
/** @param {number | null | undefined} ms  to a tenth: the server's own steps are under a millisecond */
const fmtMs1 = (ms) => (typeof ms === 'number' ? `${ms.toFixed(1)} ms` : '–');
/** @param {number | null | undefined} ms */
const fmtS = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(2)} s` : '–');
/** @param {number | null | undefined} bytes */
const fmtMB = (bytes) => (typeof bytes === 'number' ? `${Math.round(bytes / MB)} MB` : '–');

/**
 * @param {number | null | undefined} ours
 * @param {number | null | undefined} theirs
 */
export const ratio = (ours, theirs) =>
  typeof ours === 'number' && typeof theirs === 'number' && theirs > 0
    ? // Rounded as printed, so a verdict never contradicts the figure next to it.
      Math.round((ours / theirs) * 100) / 100
    : null;
/** @param {number | null} r */
const fmtRatio = (r) => (r === null ? '–' : `${r.toFixed(2)}×`);
/** @param {boolean | null} met */
const mark = (met) => (met === null ? '' : met ? ' ✓' : ' ✗');

/**
 * @typedef {object} Cell  one (N, devtool) with a summary per target
 * @property {number} n
 * @property {string} devtool
 * @property {Partial<Record<import('./targets.mjs').TargetId, TargetSummary>>} targets
 */

/**
 * The pairs with a target measured in these cells, in PAIRS order.
 * @param {Cell[]} cells
 * @returns {import('./targets.mjs').Pair[]}
 */
export function measuredPairs(cells) {
  return PAIRS.filter((pair) =>
    cells.some((c) => c.targets[pair.ours] !== undefined || c.targets[pair.theirs] !== undefined),
  );
}

/**
 * The main table for one devtool and one pair (hmrkit against webpack-dev-server, or hmrkit with
 * Rspack against `rspack serve`): a row per metric and N, medians and ratios only.
 * @param {Cell[]} cells
 * @param {string} devtool
 * @param {import('./targets.mjs').Pair} [pair]  default: the webpack pair
 */
export function latencyTable(cells, devtool, pair = PAIRS[0]) {
  const rows = cells.filter((c) => c.devtool === devtool);
  const { goals, compilerLabel } = pair;
  /** @param {number | undefined} limit */
  const ratioGoal = (limit) =>
    limit === undefined
      ? undefined
      : (/** @type {unknown} */ _, /** @type {number | null} */ r) =>
          /** @type {[string, boolean | null]} */ ([`≤ ${limit}×`, r === null ? null : r <= limit]);
  /** @type {{ name: string, pick: (s: TargetSummary) => number | null | undefined, fmt: (v: number | null | undefined) => string, noRatio?: boolean, range?: (s: TargetSummary) => Summary | null | undefined, goal?: (ours: number | null | undefined, r: number | null, n: number) => [string, boolean | null] }[]} */
  const metrics = [
    {
      name: 'leaf edit → DOM (HMR)',
      pick: (s) => s.leaf?.median,
      range: (s) => s.leaf,
      fmt: fmtMs,
      goal: ratioGoal(goals.leaf),
    },
    {
      name: `${compilerLabel}'s rebuild (floor)`,
      pick: (s) => s.rebuild?.median,
      range: (s) => s.rebuild,
      fmt: fmtMs,
    },
    {
      name: 'HTTP requests per leaf edit (write → DOM)',
      pick: (s) => s.requests?.median,
      fmt: (v) => (typeof v === 'number' ? String(v) : '–'),
    },
    {
      name: 'accepted edits that reloaded the page (count)',
      pick: (s) => s.hmrFailuresLeaf,
      noRatio: true,
      fmt: (v) => (typeof v === 'number' ? String(v) : '–'),
    },
    {
      name: 'extra builds over the measured edits (count)',
      pick: (s) => s.extraBuilds,
      noRatio: true,
      fmt: (v) => (typeof v === 'number' ? String(v) : '–'),
    },
    {
      name: `${compilerLabel}'s done → \`ok\` in the page`,
      pick: (s) => s.breakdown.doneToPageOk?.median,
      fmt: fmtMs,
    },
    {
      name: 'overhead = HMR − rebuild',
      pick: (s) => s.overhead?.median,
      range: (s) => s.overhead,
      fmt: fmtMs,
      goal:
        goals.overhead === undefined
          ? undefined
          : (ours, _r, n) => {
              const limit = goals.overhead?.(n) ?? 0;
              return [`≤ ${limit} ms`, typeof ours === 'number' ? ours <= limit : null];
            },
    },
    {
      name: 'server CPU per leaf edit',
      pick: (s) => s.cpuPerEdit?.median,
      fmt: fmtMs,
    },
    { name: 'unaccepted edit → reloaded page', pick: (s) => s.unaccepted?.median, fmt: fmtMs },
    {
      name: 'cold start → page shows app',
      pick: (s) => s.cold?.median,
      fmt: fmtS,
      goal: ratioGoal(goals.cold),
    },
    { name: '… of which spawn → port open', pick: (s) => s.listening?.median, fmt: fmtS },
    { name: '… of which spawn → first build done', pick: (s) => s.firstBuild?.median, fmt: fmtS },
    { name: 'server RSS after warm-up', pick: (s) => s.rssWarm?.median, fmt: fmtMB },
    {
      name: 'server RSS after the edits',
      pick: (s) => s.rssAfter?.median,
      fmt: fmtMB,
      goal: ratioGoal(goals.rss),
    },
    { name: '… RSS after a forced full GC', pick: (s) => s.rssAfterGc?.median, fmt: fmtMB },
    { name: '… V8 heap retained after it', pick: (s) => s.heapAfterGc?.median, fmt: fmtMB },
  ];
  const ourColumn = TARGETS[pair.ours].column;
  const theirColumn = TARGETS[pair.theirs].column;
  const lines = [
    `| metric (median; latencies: median (min–max) over the measured edits) | N | ${ourColumn} | ${theirColumn} | ${ratioHeader(pair)} | goal |`,
    '|---|--:|--:|--:|--:|---|',
  ];
  for (const metric of metrics) {
    for (const cell of rows) {
      const oursSummary = cell.targets[pair.ours];
      const theirsSummary = cell.targets[pair.theirs];
      const ours = oursSummary ? metric.pick(oursSummary) : null;
      const theirs = theirsSummary ? metric.pick(theirsSummary) : null;
      const r = metric.noRatio ? null : ratio(ours, theirs);
      const [goal, met] = metric.goal ? metric.goal(ours, r, cell.n) : ['', null];
      // Latencies also show their spread: the median, then (min–max) over every measured edit.
      const cellOf = (
        /** @type {number | null | undefined} */ value,
        /** @type {TargetSummary | undefined} */ summary,
      ) => {
        const spread = metric.range && summary ? metric.range(summary) : null;
        return spread && spread.count > 1
          ? `${metric.fmt(value)} (${Math.round(spread.min)}–${Math.round(spread.max)})`
          : metric.fmt(value);
      };
      lines.push(
        `| ${metric.name} | ${cell.n} | ${cellOf(ours, oursSummary)} | ${cellOf(theirs, theirsSummary)} | ${fmtRatio(r)} | ${goal}${mark(met)} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * "hmrkit / wds", "hmrkit / rspack serve": the ratio column of a pair.
 * @param {import('./targets.mjs').Pair} pair
 */
export function ratioHeader(pair) {
  return pair.compiler === 'webpack' ? 'hmrkit / wds' : `hmrkit / ${TARGETS[pair.theirs].column}`;
}

/**
 * Where the time of a leaf edit goes, per target: medians of each step, from the file write.
 * @param {Cell[]} cells
 * @param {string} devtool
 */
export function breakdownTable(cells, devtool) {
  const lines = [
    '| N | server | → first frame | → compile start | rebuild | done → `ok` sent | done → `ok` | → `ok` | `ok` → fetch | fetch | (manifest TTFB) | fetched → DOM | → DOM |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const cell of cells.filter((c) => c.devtool === devtool)) {
    for (const id of PAIRS.flatMap((pair) => [pair.ours, pair.theirs])) {
      const s = cell.targets[id];
      if (!s) continue;
      const b = s.breakdown;
      lines.push(
        `| ${cell.n} | ${TARGETS[id].column} | ${fmtMs(b.firstFrame?.median)} | ${fmtMs(b.compileStart?.median)} | ${fmtMs(s.rebuild?.median)} | ${fmtMs1(b.doneToSent?.median)} | ${fmtMs(b.doneToOk?.median)} | ${fmtMs(b.ok?.median)} | ${fmtMs(b.okToFetch?.median)} | ${fmtMs(b.fetch?.median)} | ${fmtMs(b.manifestWait?.median)} | ${fmtMs(b.fetchedToDom?.median)} | ${fmtMs(s.leaf?.median)} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * @typedef {{ packages: number, bytes: number, diskBytes: number }} Footprint
 * @param {{ full?: Footprint, parts?: Footprint, wds?: Footprint } | null} footprint
 */
export function footprintTable(footprint) {
  if (!footprint) return '_install footprint not measured in this run_';
  /** @param {number} bytes */
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const { full, parts, wds } = footprint;
  const lines = [
    '| added on top of `webpack` | packages | files | on disk (`du`) | goal |',
    '|---|--:|--:|--:|---|',
  ];
  /** @param {string} name @param {Footprint | undefined} f @param {string} goal */
  const row = (name, f, goal) => {
    if (f)
      lines.push(`| ${name} | ${f.packages} | ${mb(f.bytes)} | ${mb(f.diskBytes)} | ${goal} |`);
  };
  // The goal is judged on the du figure, the larger of the two sizes.
  const met = full ? full.packages <= 25 && full.diskBytes <= 5e6 : null;
  row('`@hmrkit/cli` (the full `hmrkit serve`)', full, `≤ 25 / 5 MB${mark(met)}`);
  row('memfs-middleware + socket-server + client + runtime', parts, '');
  row('`webpack-dev-server@5` + `webpack-cli`', wds, '');
  if (full && wds)
    lines.push(
      `| hmrkit / wds | ${fmtRatio(ratio(full.packages, wds.packages))} | ${fmtRatio(ratio(full.bytes, wds.bytes))} | ${fmtRatio(ratio(full.diskBytes, wds.diskBytes))} | |`,
    );
  return lines.join('\n');
}

/** @type {Record<import('./targets.mjs').TargetId, string>} */
const COLORS = {
  hmrkit: '#0b7a5a',
  wds: '#2f5fb3',
  'hmrkit-rspack': '#7b3fa8',
  'rspack-serve': '#c0502a',
};
/** @type {Record<import('./targets.mjs').CompilerName, string>} */
const FLOOR_COLORS = { webpack: '#888888', rspack: '#b89a6a' };
/** @type {Record<import('./targets.mjs').TargetId, string>} */
const LEGEND = {
  hmrkit: 'hmrkit serve',
  wds: 'webpack-dev-server 5 (webpack serve)',
  'hmrkit-rspack': 'hmrkit serve --compiler rspack',
  'rspack-serve': 'rspack serve (@rspack/dev-server)',
};

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Latency by N for each measured target, one panel per devtool, each pair's compiler rebuild
 * drawn as its floor.
 * @param {Cell[]} cells
 * @param {string[]} devtools
 * @param {string} caption
 */
export function latencyChart(cells, devtools, caption) {
  const panelW = 440;
  const pad = { left: 62, right: 52, top: 66, bottom: 34 };
  const plotH = 230;
  const width = panelW * devtools.length;
  const pairs = measuredPairs(cells);
  // The legend, wrapped into rows that fit the width.
  /** @type {[string, string, string][]} */
  const legend = pairs.flatMap((pair) => [
    .../** @type {const} */ ([pair.ours, pair.theirs])
      .filter((id) => cells.some((c) => c.targets[id]))
      .map((id) => /** @type {[string, string, string]} */ ([LEGEND[id], COLORS[id], ''])),
    /** @type {[string, string, string]} */ ([
      `${pair.compilerLabel}'s own rebuild (the floor)`,
      FLOOR_COLORS[pair.compiler],
      '5 4',
    ]),
  ]);
  /** @type {{ label: string, color: string, dash: string, w: number }[][]} */
  const legendRows = [[]];
  for (const [label, color, dash] of legend) {
    const w = 40 + label.length * 6.6;
    let row = legendRows[legendRows.length - 1];
    if (row.length > 0 && row.reduce((sum, e) => sum + e.w, 0) + w > width - 20) {
      row = [];
      legendRows.push(row);
    }
    row.push({ label, color, dash, w });
  }
  const legendY = pad.top + plotH + pad.bottom + 18;
  const height = legendY + 18 * (legendRows.length - 1) + 34;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600">HMR latency of an accepted leaf edit, file write → DOM (median, ms), by module count N</text>`,
  ];
  devtools.forEach((devtool, p) => {
    const rows = cells.filter((c) => c.devtool === devtool).sort((a, b) => a.n - b.n);
    const x0 = p * panelW;
    const plotW = panelW - pad.left - pad.right;
    /** @type {number[]} */
    const values = rows.flatMap((c) =>
      Object.values(c.targets).flatMap((s) => [s?.leaf?.median ?? 0, s?.rebuild?.median ?? 0]),
    );
    const step = niceStep(Math.max(10, ...values) / 4);
    const top = step * Math.ceil(Math.max(10, ...values) / step);
    const x = (/** @type {number} */ i) =>
      x0 + pad.left + (rows.length === 1 ? plotW / 2 : (plotW * i) / (rows.length - 1));
    const y = (/** @type {number} */ v) => pad.top + plotH - (plotH * v) / top;
    parts.push(
      `<text x="${x0 + pad.left + plotW / 2}" y="${pad.top - 18}" text-anchor="middle" font-weight="600">devtool: ${esc(devtool)}</text>`,
    );
    for (let v = 0; v <= top + step / 2; v += step) {
      parts.push(
        `<line x1="${x0 + pad.left}" x2="${x0 + pad.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
        `<text x="${x0 + pad.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#555">${Math.round(v)}</text>`,
      );
    }
    rows.forEach((c, i) => {
      parts.push(
        `<text x="${x(i)}" y="${pad.top + plotH + 20}" text-anchor="middle" fill="#333">N = ${c.n}</text>`,
      );
    });
    if (rows.length === 0) return;
    for (const pair of pairs) {
      // The floor: the compiler's own rebuild, the lower of the pair's two medians.
      const floor = rows.map((c) => {
        const r = [c.targets[pair.ours], c.targets[pair.theirs]]
          .map((s) => s?.rebuild?.median)
          .filter((v) => typeof v === 'number');
        return r.length ? Math.min(...r) : 0;
      });
      const floorPts = floor.map((v, i) => `${x(i)},${y(v)}`).join(' ');
      parts.push(
        `<polygon points="${x(0)},${y(0)} ${floorPts} ${x(rows.length - 1)},${y(0)}" fill="#efefef"${pairs.length > 1 ? ' fill-opacity="0.6"' : ''}/>`,
        `<polyline points="${floorPts}" fill="none" stroke="${FLOOR_COLORS[pair.compiler]}" stroke-width="2" stroke-dasharray="5 4"/>`,
      );
    }
    for (const pair of pairs) {
      for (const id of [pair.theirs, pair.ours]) {
        const pts = rows
          .map((c, i) => [i, c.targets[id]?.leaf?.median])
          .filter(([, v]) => typeof v === 'number');
        if (pts.length === 0) continue;
        parts.push(
          `<polyline points="${pts.map(([i, v]) => `${x(Number(i))},${y(Number(v))}`).join(' ')}" fill="none" stroke="${COLORS[id]}" stroke-width="2.5"/>`,
        );
        const theirs = id === pair.theirs;
        for (const [i, v] of pts) {
          // The other server's labels above its points, ours below; nearly equal points get
          // them further apart.
          const other = rows[Number(i)].targets[theirs ? pair.ours : pair.theirs]?.leaf?.median;
          const close = typeof other === 'number' && Math.abs(y(other) - y(Number(v))) < 12;
          const dy = theirs ? (close ? -16 : -9) : close ? 24 : 17;
          parts.push(
            `<circle cx="${x(Number(i))}" cy="${y(Number(v))}" r="3.5" fill="${COLORS[id]}"/>`,
            // Never below the axis, where the N labels are.
            `<text x="${x(Number(i)) + 7}" y="${Math.min(y(Number(v)) + dy, pad.top + plotH - 4)}" fill="${COLORS[id]}" font-weight="600">${Math.round(Number(v))}</text>`,
          );
        }
      }
    }
  });
  legendRows.forEach((row, r) => {
    const ly = legendY + 18 * r;
    let lx = (width - row.reduce((sum, e) => sum + e.w, 0)) / 2;
    for (const { label, color, dash, w } of row) {
      parts.push(
        `<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
        `<text x="${lx + 26}" y="${ly}" fill="#333">${esc(label)}</text>`,
      );
      lx += w;
    }
  });
  parts.push(
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" fill="#666" font-size="11">${esc(caption)}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

/** The smallest of 1, 2, 2.5 or 5 × 10^k that is at least v: a round axis step. @param {number} v */
function niceStep(v) {
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}
