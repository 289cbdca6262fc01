// The counter lives here, apart from the modules that hot updates replace: an
// accepted edit (greeting.ts, badge.ts, a stylesheet) re-runs only that module,
// so this object and its count stay. Nothing accepts an edit to this file, so
// changing it reloads the page and the count starts again at 0.
export interface AppState {
  count: number;
}

export const state: AppState = { count: 0 };
