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

function mount(): void {
  const app = document.getElementById('app');
  if (!app || app.dataset.mounted) return;
  app.dataset.mounted = 'true';
  app.innerHTML = `
    <h1 id="greeting"></h1>
    <img class="logo" alt="hmrkit logo" />
    <div class="row">
      <button id="increment" type="button">Count</button>
      <output id="count">0</output>
    </div>
    <div class="row"><input id="text" placeholder="Type here; it survives hot updates" /></div>
    <footer id="footer"></footer>`;
  app.querySelector('img')?.setAttribute('src', logoUrl);
  app.querySelector('#increment')?.addEventListener('click', () => {
    state.count += 1;
    renderCount();
  });
}

function renderCount(): void {
  const output = document.getElementById('count');
  if (output) output.textContent = String(state.count);
}

function renderGreeting(text: string): void {
  const heading = document.getElementById('greeting');
  if (heading) heading.textContent = text;
}

mount();
renderGreeting(greeting);
renderCount();
const footer = document.getElementById('footer');
if (footer) footer.textContent = footerText;

// index.ts accepts updates of greeting.ts and redraws only the heading.
import.meta.webpackHot?.accept('./greeting', () => {
  renderGreeting(greeting);
});
