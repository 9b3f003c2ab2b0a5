// Who a request's token authenticates: what the front door hands each operation of the caller.
import type { TokenKind } from './config-format.js';

/** The partner a request's token authenticates: the config's, or a namespace (made by the admin API). */
export interface CallerPartner {
  readonly id: string;
  /** A namespace: it sees its own customers only, and no one else sees them. */
  readonly namespace?: boolean;
}

/** Who a request's token authenticates, and which kind of token it is. */
export interface Caller {
  readonly partner: CallerPartner;
  readonly tokenKind: TokenKind;
  /**
   * A verified JWT's (`--token-issuer`): whether the sign-in used multi-factor authentication
   * (`amr` holds `mfa`); an app+user call without it is refused. Absent for a configured string
   * token, which stands for a token with MFA.
   */
  readonly mfa?: boolean;
}
