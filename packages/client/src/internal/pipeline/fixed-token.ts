import type { PipelineStep } from './pipeline.js';

/** `Authorization: Bearer <token>` on every attempt, a token given as a string (not resent after a 401). */
export function fixedToken(token: string): PipelineStep {
  const authorization = `Bearer ${token}`;
  return {
    name: 'fixedToken',
    sendRequest(request, call, next) {
      request.headers.Authorization = authorization;
      return next(request, call);
    },
  };
}
