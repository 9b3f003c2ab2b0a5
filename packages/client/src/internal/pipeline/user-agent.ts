import { SDK_CLIENT } from '../../core/sdk-client.js';
import type { PipelineStep } from './pipeline.js';

/**
 * `User-Agent: usagebudget-sdk/<version> Node.js/<version> (<platform>; <arch>)` in Node, in place
 * of axios' own; browsers forbid setting it (they send their own).
 */
export function userAgent(): PipelineStep {
  const { version, platform, arch } = process;
  const value = `${SDK_CLIENT} Node.js/${version.replace(/^v/, '')} (${platform}; ${arch})`;
  return {
    name: 'userAgent',
    sendRequest(request, call, next) {
      request.headers['User-Agent'] = value;
      return next(request, call);
    },
  };
}
