import { ExitCode } from '../exit-codes.js';
import { type Style, type TableRow, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import { type TokenIdentity, tokenIdentity } from '../token-claims.js';
import { currentToken } from '../token-sources.js';
import type { Command } from './command.js';

/**
 * `whoami`: whom the token names (tenant, kind, MFA, user or app, expiry), from its claims, decoded
 * without verifying it; never the token. It sends nothing to the service.
 */
export const whoamiCommand: Command<'whoami', object> = {
  name: 'whoami',
  arguments: [],
  help: {
    synopsis: 'usagebudget whoami [options]',
    summary:
      "Shows whom the token names: its tenant, its kind (app+user: a user's delegated token, the\n" +
      "scp claim; app-only: an app's own, the roles claim), whether the user signed in with MFA\n" +
      '(the amr claim: Partner Center requires it of app+user calls), the user or the app, and when\n' +
      'it expires. It gets the token as the other commands do (--auth signs in if needed) and\n' +
      'decodes its payload WITHOUT verifying its signature: the service does that; this only says\n' +
      'what the token claims. The token is never printed. A token that is not a JWT is reported as\n' +
      'opaque. Nothing is sent to Partner Center.',
    examples: `  usagebudget whoami --auth device-code --tenant contoso.onmicrosoft.com --client-id <app id>
  usagebudget whoami --auth azure-cli --json`,
  },
  parse: () => ({}),
  async run({ settings }, context) {
    const { credential, origin } = context.connect();
    const identity = tokenIdentity(await currentToken(credential, context.interrupt));
    context.write(settings.json ? whoamiJson(identity, origin) : formatWhoami(identity, origin, context.style));
    return ExitCode.ok;
  },
};

const kindText = (identity: TokenIdentity) =>
  identity.kind === 'app+user'
    ? 'app+user (delegated)'
    : identity.kind === 'app-only'
      ? 'app-only'
      : 'unknown (no scp nor roles)';
const mfaText = ({ mfa, kind }: TokenIdentity) =>
  mfa === true
    ? 'yes'
    : mfa === false
      ? 'no: sign in again with MFA'
      : kind === 'app-only'
        ? 'n/a (app-only)'
        : 'not stated (no amr)';

/** The identity as a label-value table. */
export function formatWhoami(identity: TokenIdentity, origin: string, s: Style): string {
  if (identity.format === 'opaque') {
    return table(
      [
        ['Token', 'opaque (not a JWT: its claims cannot be read)'],
        ['From', origin],
      ],
      s,
    );
  }
  const expires = identity.expiresOn ?? 'not stated';
  const expired = identity.expiresOn !== null && Date.parse(identity.expiresOn) <= Date.now() ? ' (expired)' : '';
  const rows: TableRow[] = [
    ['Tenant', identity.tenantId ?? 'not stated'],
    ['Kind', [kindText(identity), s.value]],
    ['MFA', [mfaText(identity), s.value]],
  ];
  if (identity.user || identity.name) rows.push(['User', [identity.user, identity.name].filter(Boolean).join('  ')]);
  if (identity.app || identity.appId) rows.push(['App', [identity.app, identity.appId].filter(Boolean).join('  ')]);
  if (identity.scopes.length > 0) rows.push(['Scopes', identity.scopes.join(' ')]);
  if (identity.roles.length > 0) rows.push(['Roles', identity.roles.join(' ')]);
  rows.push(['Audience', identity.audience ?? 'not stated'], ['Expires', `${expires}${expired}`], ['From', origin]);
  return table(rows, s);
}

/** `whoami --json`: one line, these keys (`null` where the token does not say). */
export function whoamiJson(identity: TokenIdentity, origin: string): string {
  return jsonLine({ command: 'whoami', tokenFrom: origin, ...identity });
}
