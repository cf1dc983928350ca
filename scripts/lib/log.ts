// CLI scripts say what they do, one line a step.
export function step(scope: string, message: string): void {
  console.log(`[${scope}] ${message}`);
}
