/** Where a Partner Center cloud lives and where its tokens come from. */
export interface Cloud {
  /** The API base URL. */
  readonly baseURL: string;
  /** The token authority; put the partner's tenant ID (or domain) in place of `{tenant}`. */
  readonly authority: string;
  /** The scope of an app-only token (client credentials). */
  readonly scope: string;
  /** The scope of an app+user token (delegated; the user signs in with MFA). */
  readonly userScope: string;
}

const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';
const scopes = { scope: `${PARTNER_CENTER}/.default`, userScope: `${PARTNER_CENTER}/user_impersonation` };

/**
 * The Partner Center clouds. US Government shares the global API host and differs only in its
 * token authority. Microsoft does not document usage budgets for 21Vianet (`china`), nor a token
 * audience of its own there; calls may answer 404.
 */
export const clouds = {
  global: { baseURL: PARTNER_CENTER, authority: 'https://login.microsoftonline.com/{tenant}', ...scopes },
  usgov: { baseURL: PARTNER_CENTER, authority: 'https://login.microsoftonline.us/{tenant}', ...scopes },
  china: {
    baseURL: 'https://partner.partnercenterapi.microsoftonline.cn',
    authority: 'https://login.chinacloudapi.cn/{tenant}',
    ...scopes,
  },
} as const satisfies Record<string, Cloud>;

export type CloudName = keyof typeof clouds;
