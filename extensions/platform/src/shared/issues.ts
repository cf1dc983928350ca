// Turns zod's issues into the list our 4xx errors carry, so every endpoint reports bad input the same way. Pure.
import type { z } from 'zod';

export interface InputIssue {
  /** Dotted path inside the input part, e.g. `checks` or `items.0.email`; empty for the whole part. */
  path: string;
  message: string;
}

export function toInputIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function summarizeIssues(part: string, issues: InputIssue[]): string {
  const details = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return `Invalid ${part}: ${details.join('; ')}`;
}
