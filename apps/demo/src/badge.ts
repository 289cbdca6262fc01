// Self-accepting: on an edit webpack re-runs this module, which redraws its own
// element; nothing else on the page is touched.
import './badge.css';

export const BADGE_TEXT = 'self-accepting badge v1';

function render(): void {
  const badge = document.getElementById('badge');
  if (badge) badge.textContent = BADGE_TEXT;
}

render();

import.meta.webpackHot?.accept();
