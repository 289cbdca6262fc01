// Nothing accepts this module: an edit bubbles up to the entry and the page
// reloads (hot mode's fallback).
export const footerText = 'footer: full reload on edit';
