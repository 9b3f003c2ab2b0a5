import {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@usagebudget/client';
import { describe, expect, it } from 'vitest';
import { CommandLineError } from '../src/command-line/error.js';
import { exitCodeFor } from '../src/exit-codes.js';
import { colorEnabled, errorJson, formatError, style } from '../src/output.js';
import { TokenCommandError } from '../src/token-sources.js';

describe('colorEnabled', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [undefined, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true], // no-color.org: set and not empty
    [true, { TERM: 'dumb' }, false],
  ])('isTTY %s with %j: %s', (isTTY, env, expected) => {
    expect(colorEnabled({ isTTY }, env)).toBe(expected);
  });
});

describe('exitCodeFor', () => {
  it.each([
    [new CommandLineError('x'), 2],
    [new ValidationError('amount', 'x'), 2],
    [new NotFoundError('x', { status: 404 }), 3],
    [new AuthenticationError('x', { status: 401 }), 4],
    [new PermissionDeniedError('x', { status: 403 }), 4],
    [new TokenCommandError('x'), 4],
    [new RateLimitError('x', { status: 429 }), 5],
    [new ServerError('x', { status: 500 }), 1],
    [new ConflictError('x', { status: 409 }), 1],
    [new TimeoutError('x'), 1],
    [new ConnectionError('x', { code: 'ECONNRESET' }), 1],
    [new PartnerCenterError('x', { status: 412 }), 1],
    [new Error('a bug'), 1],
  ])('%s exits %d', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});

describe('error output', () => {
  const throttled = new RateLimitError('429 Rate limit is exceeded.', {
    status: 429,
    code: 429,
    description: 'Rate limit is exceeded. Try again in 57 seconds.',
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    retryAfterMs: 57_000,
  } as ConstructorParameters<typeof RateLimitError>[1]);

  it('reports what failed, then the known fields in aligned rows', () => {
    expect(formatError(throttled, style(false), 'https://api.partnercenter.microsoft.com')).toBe(
      'usagebudget: throttled (HTTP 429)\n' +
        '  Code         429\n' +
        '  Description  Rate limit is exceeded. Try again in 57 seconds.\n' +
        '  Retry after  57 s\n' +
        '  Request ID   c0ffee00-0000-4000-8000-000000000001\n',
    );
  });

  it('gives --json errors every key, null when unknown', () => {
    expect(JSON.parse(errorJson(new CommandLineError('no command given'), 2))).toEqual({
      error: {
        type: 'UsageError',
        message: 'no command given',
        status: null,
        code: null,
        description: null,
        requestId: null,
        correlationId: null,
      },
      exitCode: 2,
    });
  });
});
