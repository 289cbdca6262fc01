// Self-accepting: on an edit this module re-runs and redraws its own element.
import './badge.css';

export const BADGE_TEXT = 'self-accepting badge v1';

function render(): void {
  let badge = document.getElementById('badge');
  if (!badge) {
    badge = document.createElement('p');
    badge.id = 'badge';
    badge.className = 'badge';
    document.getElementById('app')?.append(badge);
  }
  badge.textContent = BADGE_TEXT;
}

render();

import.meta.webpackHot?.accept();
