// App state lives here. Nothing accepts an update to this module on purpose:
// modules that import it are hot-swapped, while this one keeps its values, so
// the counter survives every accepted edit.
export interface AppState {
  count: number;
}

const hot = import.meta.webpackHot;

export const state: AppState = (hot?.data?.state as AppState | undefined) ?? { count: 0 };

hot?.dispose((data) => {
  data.state = state;
});
