// Accepted by its parent (index.ts): editing this text updates the page in place.
export const greeting = 'Hello from hmrkit';
