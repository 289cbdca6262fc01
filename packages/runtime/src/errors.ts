/** The runtime entry was bundled without `HotModuleReplacementPlugin` (webpack's `hot: false`). */
export class HotDisabledError extends Error {
  constructor() {
    super('[HMR] Hot Module Replacement is disabled.');
    this.name = 'HotDisabledError';
  }
}
