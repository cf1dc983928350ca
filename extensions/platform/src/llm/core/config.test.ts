import { describe, expect, it } from '@jest/globals';
import { checkEnv } from '../../shared/env.js';
import { llmConfig } from './config.js';

const envOf = (raw: Record<string, unknown>) => {
  const result = checkEnv(raw);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.env;
};

describe('llmConfig', () => {
  it('is off without a base URL or models', () => {
    expect(llmConfig(envOf({}))).toBeNull();
    expect(llmConfig(envOf({ GROUNDWORK_LLM_BASE_URL: 'https://llm.example.com/v1' }))).toBeNull();
    expect(llmConfig(envOf({ GROUNDWORK_LLM_MODELS: 'a' }))).toBeNull();
  });
  it('reads the fallback chain, the key and the defaults', () => {
    const config = llmConfig(
      envOf({
        GROUNDWORK_LLM_BASE_URL: 'https://llm.example.com/v1/',
        GROUNDWORK_LLM_MODELS: 'small, big',
        GROUNDWORK_LLM_API_KEY: 'k',
      }),
    );
    expect(config).toMatchObject({
      baseUrl: 'https://llm.example.com/v1',
      apiKey: 'k',
      models: ['small', 'big'],
      firstByteTimeoutMs: 15000,
      userDailyTokens: 100000,
      breaker: { failures: 3, cooldownSeconds: 60 },
    });
  });
  it('takes a list Directus cast to an array, and refuses a bad URL or model list', () => {
    expect(
      llmConfig(envOf({ GROUNDWORK_LLM_BASE_URL: 'http://x/v1', GROUNDWORK_LLM_MODELS: ['a', 'b'] }))?.models,
    ).toEqual(['a', 'b']);
    expect(checkEnv({ GROUNDWORK_LLM_BASE_URL: 'ftp://x' }).ok).toBe(false);
    expect(checkEnv({ GROUNDWORK_LLM_MODELS: 'a;b' }).ok).toBe(false);
  });
});
