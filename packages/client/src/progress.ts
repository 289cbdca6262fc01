import type { ProgressUpdate } from '@hmrkit/protocol';

export interface ProgressIndicator {
  update(progress: ProgressUpdate): void;
  destroy(): void;
}

export const PROGRESS_TAG = 'hmrkit-progress';

const STYLES = `
.linear{position:fixed;top:0;left:0;height:3px;background:#2f81f7;box-shadow:0 0 6px #2f81f7;
  transition:width .15s ease-out,opacity .3s}
.circular{position:fixed;right:16px;bottom:16px;width:44px;height:44px;opacity:.95;transition:opacity .3s}
.circular circle{fill:none;stroke-width:4}
.circular text{font:600 11px system-ui,sans-serif;fill:#e6edf3}
.done{opacity:0}
`;

const SVG_NS = 'http://www.w3.org/2000/svg';
const RADIUS = 18;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/** A small build-progress indicator (`client.progress: 'linear' | 'circular'`). */
export function createProgressIndicator(
  shape: 'linear' | 'circular',
  doc: Document = globalThis.document,
): ProgressIndicator {
  const host = doc.createElement(PROGRESS_TAG);
  host.setAttribute('style', 'all:initial !important;display:block !important;');
  const root = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = STYLES;
  root.append(style);
  let show: (percent: number) => void;
  let frame: Element;
  if (shape === 'linear') {
    const bar = doc.createElement('div');
    bar.className = 'linear';
    frame = bar;
    show = (percent) => {
      bar.style.width = `${percent}%`;
    };
  } else {
    const svg = doc.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'circular');
    svg.setAttribute('viewBox', '0 0 44 44');
    const track = doc.createElementNS(SVG_NS, 'circle');
    const arc = doc.createElementNS(SVG_NS, 'circle');
    for (const [circle, colour] of [
      [track, '#30363d'],
      [arc, '#2f81f7'],
    ] as const) {
      circle.setAttribute('cx', '22');
      circle.setAttribute('cy', '22');
      circle.setAttribute('r', String(RADIUS));
      circle.setAttribute('stroke', colour);
    }
    arc.setAttribute('transform', 'rotate(-90 22 22)');
    arc.setAttribute('stroke-dasharray', String(CIRCUMFERENCE));
    const label = doc.createElementNS(SVG_NS, 'text');
    label.setAttribute('x', '22');
    label.setAttribute('y', '26');
    label.setAttribute('text-anchor', 'middle');
    svg.append(track, arc, label);
    frame = svg;
    show = (percent) => {
      arc.setAttribute('stroke-dashoffset', String(CIRCUMFERENCE * (1 - percent / 100)));
      label.textContent = `${percent}%`;
    };
  }
  root.append(frame);
  return {
    update({ percent }) {
      const value = Math.max(0, Math.min(100, Math.round(percent)));
      show(value);
      frame.classList.toggle('done', value >= 100);
      if (!host.isConnected) (doc.body ?? doc.documentElement).append(host);
    },
    destroy: () => host.remove(),
  };
}
