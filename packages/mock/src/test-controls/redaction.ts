import type { IncomingHttpHeaders } from 'node:http';
import type { SpecOperation } from '@usagebudget/openapi/operations';

/** What a credential is replaced with in the journal. */
export const REDACTED = '[redacted]';

/** Headers that carry a credential by their definition. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'dpop']);
/**
 * Names that suggest a credential: `X-Api-Key`, `X-Auth-Token`, `X-Client-Secret`,
 * `Ocp-Apim-Subscription-Key`, `X-Functions-Key` (and every `x-ms-*-key`), `X-Amz-Security-Token`,
 * a password, a session, a signature; in a query string `access_token`, `api_key`, `sig`...
 */
const CREDENTIAL_NAME =
  /token|secret|passw|pwd|credential|auth|session|cookie|signature|api[-_]?key|(^|[-_])(key|sig|code)$/i;
/** RFC 9110's `auth-scheme` then whitespace: `Authorization: Bearer\tabc` keeps `Bearer`. */
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+\S/;

/** A credential's value as the journal keeps it: an authorization's scheme, when it has one, and nothing else. */
function redactedValue(name: string, value: string): string {
  if (name !== 'authorization' && name !== 'proxy-authorization') return REDACTED;
  const scheme = AUTH_SCHEME.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

export interface Redaction {
  /** The headers with every credential's value replaced; names in lower case, as Node gives them. */
  headers(headers: IncomingHttpHeaders): Record<string, string | string[]>;
  /** The query string with the value of every parameter whose name suggests a credential replaced. */
  query(query: string): string;
}

/**
 * How the journal keeps a request without its credentials: `Authorization` (whatever its format:
 * a scheme or none, a tab, any case) and `Proxy-Authorization` keep their scheme only; `Cookie`,
 * `Set-Cookie`, `DPoP` and every header or query parameter whose name suggests a credential (see
 * `CREDENTIAL_NAME`) are replaced whole. The parameters the API's spec declares (`MS-RequestId`,
 * `MS-ContinuationToken`, `size`...) are kept: none is a credential, and a test reads them.
 */
export function createRedaction(operations: readonly SpecOperation[]): Redaction {
  const declared = new Set(
    operations.flatMap((operation) =>
      operation.parameters
        .filter(({ value }) => value.in === 'header' || value.in === 'query')
        .map(({ value }) => value.name.toLowerCase()),
    ),
  );
  declared.delete('authorization');
  const isCredential = (name: string) =>
    !declared.has(name) && (CREDENTIAL_HEADERS.has(name) || CREDENTIAL_NAME.test(name));

  return {
    headers(headers) {
      const kept: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) continue;
        if (!isCredential(name)) kept[name] = value;
        else
          kept[name] = Array.isArray(value)
            ? value.map((each) => redactedValue(name, each))
            : redactedValue(name, value);
      }
      return kept;
    },
    query(query) {
      if (query === '') return query;
      return query
        .split('&')
        .map((pair) => {
          const at = pair.indexOf('=');
          const rawName = at === -1 ? pair : pair.slice(0, at);
          let name: string;
          try {
            name = decodeURIComponent(rawName.replaceAll('+', ' ')).toLowerCase();
          } catch {
            name = rawName.toLowerCase();
          }
          return at !== -1 && isCredential(name) ? `${rawName}=${REDACTED}` : pair;
        })
        .join('&');
    },
  };
}
