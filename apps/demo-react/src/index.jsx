// The entry: mounts the app once. Fast Refresh re-renders the components that
// change; this file itself is not a component, so editing it reloads the page.
import { createRoot } from 'react-dom/client';
import { App } from './App';

// A marker set once per page load: tests read it to tell a Fast Refresh (it
// survives) from a reload (it is set again with a new value).
window.__demoBootId ??= Math.random();

const container = document.getElementById('root');
if (container) createRoot(container).render(<App />);
