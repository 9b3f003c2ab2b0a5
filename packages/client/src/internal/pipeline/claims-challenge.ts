/**
 * The claims a `WWW-Authenticate` claims challenge asks for (Continuous Access Evaluation,
 * Conditional Access): the `claims` parameter of a `Bearer` challenge, decoded from base64 (or
 * base64url) to its JSON text, as Azure core's `bearerTokenAuthenticationPolicy` passes it to
 * `getToken`. `undefined` without one, or when its `error` is not `insufficient_claims`.
 */
export function challengeClaims(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // `Bearer a="b", c="d", Bearer e="f"`: each challenge's parameters, quoted or not.
  for (const challenge of header.split(/(?:^|,)\s*(?=Bearer\s)/i)) {
    if (!/^Bearer\s/i.test(challenge)) continue;
    const parameters = new Map<string, string>();
    for (const [, name = '', quoted, bare] of challenge.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
      parameters.set(name.toLowerCase(), quoted ?? bare ?? '');
    const claims = parameters.get('claims');
    const error = parameters.get('error');
    if (!claims || (error !== undefined && error !== 'insufficient_claims')) continue;
    try {
      const base64 = claims.replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not base64 of UTF-8 text: no challenge the client can pass on.
    }
  }
  return undefined;
}
