// One circuit breaker per outbound target (a webhook subscription, an LLM model), made on first use: after
// `failures` consecutive failures the target is skipped (cockatiel's BrokenCircuitError) until `cooldownSeconds`
// have passed, then one trial decides. Per process: each instance learns on its own.
import { circuitBreaker, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';

export function breakerPerTarget(settings: { failures: number; cooldownSeconds: number }) {
  const breakers = new Map<string, CircuitBreakerPolicy>();
  return (target: string): CircuitBreakerPolicy => {
    let breaker = breakers.get(target);
    if (!breaker) {
      breaker = circuitBreaker(handleAll, {
        halfOpenAfter: settings.cooldownSeconds * 1000,
        breaker: new ConsecutiveBreaker(settings.failures),
      });
      breakers.set(target, breaker);
    }
    return breaker;
  };
}
