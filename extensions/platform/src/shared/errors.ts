// The one way our endpoints fail: Directus's error envelope ({"errors":[{"message","extensions":{"code"}}]}),
// produced by Directus's own error handler from errors made with createError. Codes are named here and nowhere else.
import { createError } from '@directus/errors';
import { summarizeIssues, type InputIssue } from './issues.js';

export const ErrorCode = {
  InvalidQuery: 'INVALID_QUERY',
  InvalidPayload: 'INVALID_PAYLOAD',
  InvalidParams: 'INVALID_PARAMS',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  InvalidOtp: 'INVALID_OTP',
  Conflict: 'CONFLICT',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  TransitionNotAllowed: 'TRANSITION_NOT_ALLOWED',
  TfaRequired: 'TFA_REQUIRED',
  RequestsExceeded: 'REQUESTS_EXCEEDED',
  // Refusals of Node's HTTP parser, before Directus (bad-input/core/client-error.ts).
  HeadersTooLarge: 'HEADERS_TOO_LARGE',
  ContentTooLarge: 'CONTENT_TOO_LARGE',
  RequestTimeout: 'REQUEST_TIMEOUT',
  BadRequest: 'BAD_REQUEST',
  // Uploads (files/): a type refused by content, and malware found by the scanner.
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  FileInfected: 'FILE_INFECTED',
  // LLM assist (llm/, decision 0050): not configured, a budget spent, no model answering.
  LlmNotConfigured: 'LLM_NOT_CONFIGURED',
  LlmBudgetExceeded: 'LLM_BUDGET_EXCEEDED',
  LlmProviderUnavailable: 'LLM_PROVIDER_UNAVAILABLE',
  // Storage quota of the uploader's owner (files/quota.ts) used up.
  StorageQuotaExceeded: 'STORAGE_QUOTA_EXCEEDED',
  // An image whose preset render failed for good (files/renditions.ts, decision 0064): no request decodes it again.
  AssetNotRenderable: 'ASSET_NOT_RENDERABLE',
} as const;

export interface InputErrorExtensions {
  issues: InputIssue[];
}

// The same codes Directus uses for its own query and payload errors, so clients handle one set.
export const InvalidQueryError = createError<InputErrorExtensions>(
  ErrorCode.InvalidQuery,
  (e) => summarizeIssues('query', e.issues),
  400,
);
export const InvalidPayloadError = createError<InputErrorExtensions>(
  ErrorCode.InvalidPayload,
  (e) => summarizeIssues('payload', e.issues),
  400,
);
export const InvalidParamsError = createError<InputErrorExtensions>(
  ErrorCode.InvalidParams,
  (e) => summarizeIssues('path parameters', e.issues),
  400,
);
export const ForbiddenError = createError(ErrorCode.Forbidden, "You don't have permission to access this.", 403);
// Directus's FORBIDDEN with a reason, as its own field check gives: a query path the caller may not filter, sort or
// aggregate on (query-guard/); a share while the response cache is on (advisories/).
export const ForbiddenWithReasonError = createError<{ reason: string }>(
  ErrorCode.Forbidden,
  "You don't have permission to access this.",
  403,
);
// Directus's own code and message for a missing, wrong or revoked credential.
export const InvalidCredentialsError = createError(ErrorCode.InvalidCredentials, 'Invalid user credentials.', 401);
// Directus's own code for a missing or wrong TOTP code (a re-authentication of someone with TOTP on, e.g. erasure).
export const InvalidOtpError = createError(ErrorCode.InvalidOtp, 'Invalid user OTP.', 401);
// 403: a policy of the user requires TOTP, so only an administrator may turn it off (decision 0014).
export const TfaRequiredError = createError(
  ErrorCode.TfaRequired,
  'Two-factor authentication is required for your role; an administrator can reset it.',
  403,
);
export const ConflictError = createError<{ reason: string }>(ErrorCode.Conflict, (e) => e.reason, 409);
export const NotFoundError = createError<{ what: string }>(ErrorCode.NotFound, (e) => `${e.what} not found.`, 404);
// Directus's own code for its rate limiters, so clients handle one 429; Retry-After says when to try again.
export const RequestsExceededError = createError<{ retryAfterSeconds: number }>(
  ErrorCode.RequestsExceeded,
  (e) => `Too many attempts. Try again in ${e.retryAfterSeconds} s.`,
  429,
);
export const ServiceUnavailableError = createError<{ service: string; reason: string }>(
  ErrorCode.ServiceUnavailable,
  (e) => `Service "${e.service}" is unavailable: ${e.reason}.`,
  503,
);

export interface TransitionRefusal {
  item: string | number | null;
  from: string | null;
  to: string;
  allowed: string[];
}
// 409: the write conflicts with the item's current state (or the caller's moves from it); the message lists the
// moves the caller may make instead (decision 0010).
export const TransitionNotAllowedError = createError<{
  collection: string;
  refusals: TransitionRefusal[];
  message: string;
}>(ErrorCode.TransitionNotAllowed, (e) => e.message, 409);

// Uploads (files/, decision 0038). Directus's own code for a refused type (415); a file the scanner found malware
// in (422), which is quarantined; an upload refused before storing (400: empty, several files, a bad field).
export const UnsupportedMediaTypeError = createError<{ reason: string }>(
  ErrorCode.UnsupportedMediaType,
  (e) => e.reason,
  415,
);
export const FileInfectedError = createError<{ signature: string }>(
  ErrorCode.FileInfected,
  (e) => `The file contains malware (${e.signature}). It was quarantined and not stored.`,
  422,
);
// The upload would take its owner over their storage quota (files/quota.ts): 413, nothing stored.
export const QuotaExceededError = createError<{ reason: string; limit: number }>(
  ErrorCode.StorageQuotaExceeded,
  (e) => e.reason,
  413,
);
// 422: the image's render through a preset failed for good (timed out, too large, undecodable); answered at once.
export const AssetNotRenderableError = createError<{ key: string; reason: string }>(
  ErrorCode.AssetNotRenderable,
  (e) => `The image cannot be rendered as "${e.key}": ${e.reason}. Download the original instead.`,
  422,
);
export const UploadRefusedError = createError<{ reason: string }>(ErrorCode.InvalidPayload, (e) => e.reason, 400);
export const FieldForbiddenError = createError<{ reason: string }>(ErrorCode.Forbidden, (e) => e.reason, 403);
// Inbound email (inbound/, decision 0049): a request whose signature does not verify (missing, wrong, replayed).
export const InboundSignatureError = createError<{ reason: string }>(
  ErrorCode.InvalidCredentials,
  (e) => `The request is not signed by the mail provider: ${e.reason}.`,
  401,
);

// LLM assist (decision 0050).
export const LlmNotConfiguredError = createError(
  ErrorCode.LlmNotConfigured,
  'LLM assist is not configured on this instance (GROUNDWORK_LLM_BASE_URL, GROUNDWORK_LLM_MODELS).',
  // A feature that is off is absent here, not failing: 404, as a route this instance does not have (a 5xx would say
  // the server failed and invite retries; the fuzz's property holds every 5xx a failure).
  404,
);
export const LlmBudgetExceededError = createError<{
  scope: 'user' | 'organization';
  limit: number;
  retryAfterSeconds: number;
}>(
  ErrorCode.LlmBudgetExceeded,
  (e) => `The ${e.scope}'s LLM budget of ${e.limit} tokens for today is spent. Try again in ${e.retryAfterSeconds} s.`,
  429,
);
export const LlmProviderUnavailableError = createError<{ reason: string }>(
  ErrorCode.LlmProviderUnavailable,
  (e) => `No LLM model answered: ${e.reason}.`,
  503,
);
