import type { Compiler, MultiCompiler } from 'webpack';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * `setupExitSignals`: SIGINT/SIGTERM stop the server, close the compiler and
 * exit 0 (1 if stopping failed); a second signal exits at once. Returns the
 * function that removes the handlers again.
 */
export function setupExitSignals(
  stop: () => Promise<void>,
  compiler: Compiler | MultiCompiler,
): () => void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) {
      // A second Ctrl-C: the user wants out now.
      process.exit(1);
    }
    stopping = true;
    stop()
      .then(() => closeCompiler(compiler))
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}

function closeCompiler(compiler: Compiler | MultiCompiler): Promise<void> {
  return new Promise((resolve) => {
    try {
      compiler.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
