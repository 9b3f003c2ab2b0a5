import type { TestAuthority } from './authority/index.js';
import { type ServerProcess, type ServerProcessOptions, startServerProcess } from './server-process.js';

/**
 * The reference server bin accepting the JWTs of a test authority: `--token-issuer` at its issuer
 * (`common`: every tenant's, the partner by `tid`; or one tenant's), its CA trusted by the
 * server's process (`NODE_EXTRA_CA_CERTS`, read at start), `options`' args after.
 */
export function startServerTrusting(
  authority: TestAuthority,
  options: ServerProcessOptions & { readonly tenantId?: string } = {},
): Promise<ServerProcess> {
  const { tenantId = 'common', ...rest } = options;
  return startServerProcess({
    ...rest,
    args: ['--token-issuer', authority.issuer(tenantId), ...(rest.args ?? [])],
    env: { ...(rest.env ?? process.env), NODE_EXTRA_CA_CERTS: authority.caFile },
  });
}
