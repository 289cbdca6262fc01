// The entry: fills in the page (src/index.html) and wires the counter. Nothing
// accepts an edit of this file, so editing it reloads the page.
import './styles.css';
import './badge';
import { footerText } from './config';
import { greeting } from './greeting';
import logoUrl from './logo.svg';
import { state } from './state';

// A marker set once per page load: tests read it to tell a hot update (it
// survives) from a reload (it is set again with a new value).
const page = window as unknown as { __demoBootId?: number };
page.__demoBootId ??= Math.random();

function renderCount(): void {
  const output = document.getElementById('count');
  if (output) output.textContent = String(state.count);
}

function renderGreeting(text: string): void {
  const heading = document.getElementById('greeting');
  if (heading) heading.textContent = text;
}

document.querySelector('img.logo')?.setAttribute('src', logoUrl);
document.getElementById('increment')?.addEventListener('click', () => {
  state.count += 1;
  renderCount();
});
const footer = document.getElementById('footer');
if (footer) footer.textContent = footerText;
renderGreeting(greeting);
renderCount();

// index.ts accepts updates of greeting.ts: webpack re-imports it (so `greeting`
// is the new value here) and calls this, which redraws only the heading.
import.meta.webpackHot?.accept('./greeting', () => {
  renderGreeting(greeting);
});
