// Stops the test stack: it stops Directus, drops the throwaway database and stops an embedded Postgres.
export default async function globalTeardown() {
  const stack = globalThis.groundworkTestStack;
  if (!stack || stack.exitCode !== null) return;
  // 'close' comes after the stack's last output lines have been read.
  const closed = new Promise((resolve) => stack.once('close', resolve));
  stack.kill('SIGTERM');
  await closed;
}
