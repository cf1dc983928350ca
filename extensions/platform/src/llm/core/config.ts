// The LLM adapter's settings from the checked env (decision 0050): off (null) unless a base URL and models are set.
import type { PlatformEnv } from '../../shared/env.js';

export interface LlmConfig {
  /** The API root, e.g. https://api.openai.com/v1 (no trailing slash): we post to `${baseUrl}/chat/completions`. */
  baseUrl: string;
  apiKey: string | null;
  models: string[];
  firstByteTimeoutMs: number;
  totalTimeoutMs: number;
  maxOutputTokens: number;
  userDailyTokens: number;
  organizationDailyTokens: number;
  cacheTtlSeconds: number;
  breaker: { failures: number; cooldownSeconds: number };
}

export function llmConfig(env: PlatformEnv): LlmConfig | null {
  const models = (env.GROUNDWORK_LLM_MODELS ?? '')
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  if (!env.GROUNDWORK_LLM_BASE_URL || models.length === 0) return null;
  return {
    baseUrl: env.GROUNDWORK_LLM_BASE_URL.replace(/\/+$/, ''),
    apiKey: env.GROUNDWORK_LLM_API_KEY ?? null,
    models,
    firstByteTimeoutMs: env.GROUNDWORK_LLM_FIRST_BYTE_TIMEOUT_MS,
    totalTimeoutMs: env.GROUNDWORK_LLM_TIMEOUT_MS,
    maxOutputTokens: env.GROUNDWORK_LLM_MAX_OUTPUT_TOKENS,
    userDailyTokens: env.GROUNDWORK_LLM_USER_DAILY_TOKENS,
    organizationDailyTokens: env.GROUNDWORK_LLM_ORG_DAILY_TOKENS,
    cacheTtlSeconds: env.GROUNDWORK_LLM_CACHE_TTL_SECONDS,
    breaker: {
      failures: env.GROUNDWORK_LLM_BREAKER_FAILURES,
      cooldownSeconds: env.GROUNDWORK_LLM_BREAKER_COOLDOWN_SECONDS,
    },
  };
}
