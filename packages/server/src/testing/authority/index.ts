// A test authority: an OpenID Connect token service on loopback over HTTPS, with Microsoft Entra
// ID's endpoints per tenant, that `@azure/identity`'s credentials accept as their `authorityHost`
// (with `disableInstanceDiscovery: true`: without it MSAL asks login.microsoftonline.com whether the
// host is an authority, and fails offline with endpoints_resolution_error),
// and whose tokens the server verifies with `--token-issuer`.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { PARTNER_CENTER_AUDIENCE } from '../../partners/token-issuer.js';
import { startTlsServer } from '../tls-server.js';
import { GrantError, type Granted, issue, type TestApp, type TestUser } from './grants.js';
import { type AuthorityKeys, authorityKeys, times } from './tokens.js';

export { PARTNER_CENTER_AUDIENCE } from '../../partners/token-issuer.js';
export type { TestApp, TestUser } from './grants.js';

/** A request the authority received (secrets included: it is a test's). */
export interface AuthorityRequest {
  readonly method: string;
  /** The path without the query, such as `/<tenant>/oauth2/v2.0/token`. */
  readonly path: string;
  /** The tenant segment of the path. */
  readonly tenantId: string;
  readonly endpoint: 'discovery' | 'keys' | 'token' | 'devicecode' | 'unknown';
  /** The form's `grant_type` (token endpoint). */
  readonly grantType?: string;
  /** The form's `scope`. */
  readonly scope?: string;
  /** The form's `client_id`. */
  readonly clientId?: string;
  /** The whole form of a POST. */
  readonly form: URLSearchParams;
  /** The status it answered. */
  readonly status: number;
}

export interface TestAuthorityOptions {
  /** Lifetime of the tokens it issues. Default: 3600. */
  readonly tokenLifetimeSeconds?: number;
}

/** A test authority on loopback over HTTPS; see the server README's "Testing" section. */
export interface TestAuthority {
  /** `https://localhost:<port>`: the `authorityHost` of `@azure/identity`'s credentials. */
  readonly url: string;
  /** Its CA as a PEM file, for `NODE_EXTRA_CA_CERTS` of a child process (the server, the CLI, a script). */
  readonly caFile: string;
  /** Its CA as PEM. */
  readonly caPem: string;
  /** A folder of its own (holding `caFile`), for files a test writes beside it; removed by `stop`. */
  readonly folder: string;
  /**
   * `<url>/<tenantId>/v2.0`: a tenant's issuer, the `iss` of its tokens and what the server's
   * `--token-issuer` takes; `issuer('common')` is every tenant's (its discovery document names
   * `<url>/{tenantid}/v2.0`, as Entra ID's does).
   */
  issuer(tenantId: string): string;
  /** Registers an app for client credentials (an app-only token with `roles`). */
  addApp(app: TestApp): void;
  /** Registers a user of an app for device code (approved at once) and refresh tokens (a token with `scp`, `amr`). */
  addUser(user: TestUser): void;
  /** Lifetime of the next tokens, in seconds (negative: expired when issued); the `expires_in` it answers too. */
  tokenLifetimeSeconds: number;
  /** Lifetimes of the next tokens in order, before `tokenLifetimeSeconds` applies again (e.g. `[-60]`: the next one expired). */
  readonly nextLifetimes: number[];
  /** Sign tokens with a key its JWKS never lists (a `kid` no one knows). */
  signWithUnknownKey: boolean;
  /** What it received, in order. */
  readonly requests: readonly AuthorityRequest[];
  /** The token endpoint's requests that issued tokens, optionally of one grant type. */
  tokenRequests(grantType?: string): AuthorityRequest[];
  /** Signs an access token of `tenantId`'s issuer directly (no grant): app-only unless `claims` say otherwise; `claims` override. */
  signToken(
    tenantId: string,
    claims?: JWTPayload,
    options?: { unknownKey?: boolean; lifetimeSeconds?: number },
  ): Promise<string>;
  stop(): Promise<void>;
}

// RFC 8628's grant type, and the short form MSAL sends (Entra ID takes both).
const DEVICE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code']);

type State = {
  url: string;
  keys: AuthorityKeys;
  apps: Map<string, TestApp & { objectId: string }>;
  users: Map<string, TestUser & { objectId: string }>;
  deviceCodes: Map<string, Granted>;
  refreshTokens: Map<string, Granted>;
  authority: TestAuthority;
};

const MULTI_TENANT = new Set(['common', 'organizations']);

/** The OpenID Connect metadata of a tenant, as Entra ID serves it (MSAL reads the endpoints from it). */
function discovery(url: string, tenantId: string) {
  const base = `${url}/${tenantId}`;
  return {
    // Entra ID's multi-tenant endpoints name a template of every tenant's issuer.
    issuer: MULTI_TENANT.has(tenantId) ? `${url}/{tenantid}/v2.0` : `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: null,
    cloud_instance_name: new URL(url).host,
  };
}

function nextLifetime(authority: TestAuthority): number {
  return authority.nextLifetimes.shift() ?? authority.tokenLifetimeSeconds;
}

const unknownApp = (clientId: string, tenantId: string) =>
  new GrantError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
  );

/** The subject a token request's grant stands for, or the OAuth error Entra ID answers. */
function grantSubject(state: State, tenantId: string, form: URLSearchParams): Granted {
  const grantType = form.get('grant_type') ?? '';
  const clientId = form.get('client_id') ?? '';
  if (grantType === 'client_credentials') {
    const app = state.apps.get(`${tenantId}/${clientId}`);
    if (!app) throw unknownApp(clientId, tenantId);
    if (form.get('client_secret') !== app.clientSecret)
      throw new GrantError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    // As Entra ID: an app gets its app permissions only, asked for as `<resource>/.default`.
    if (!form.get('scope')?.endsWith('/.default'))
      throw new GrantError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    return { subject: app, scope: form.get('scope') };
  }
  const device = DEVICE_GRANTS.has(grantType);
  if (!device && grantType !== 'refresh_token')
    throw new GrantError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  const codes = device ? state.deviceCodes : state.refreshTokens;
  const granted = codes.get(form.get(device ? 'device_code' : 'refresh_token') ?? '');
  if (!granted || granted.subject.tenantId !== tenantId || granted.subject.clientId !== clientId)
    throw new GrantError(400, 'invalid_grant', device ? 70000 : 9002313, 'The provided grant is invalid or expired.');
  return { subject: granted.subject, scope: form.get('scope') ?? granted.scope };
}

/** A device code for the user registered for the app, approved at once: the first poll gets the tokens. */
function deviceCode(state: State, tenantId: string, form: URLSearchParams) {
  const clientId = form.get('client_id') ?? '';
  const user = state.users.get(`${tenantId}/${clientId}`);
  if (!user) throw unknownApp(clientId, tenantId);
  const code = randomBytes(24).toString('base64url');
  state.deviceCodes.set(code, { subject: user, scope: form.get('scope') });
  const userCode = randomBytes(4).toString('hex').toUpperCase();
  const verification = `${state.url}/devicelogin`;
  return {
    user_code: userCode,
    device_code: code,
    verification_uri: verification,
    expires_in: 900,
    interval: 1,
    message: `To sign in, use a web browser to open the page ${verification} and enter the code ${userCode} to authenticate.`,
  };
}

type Route = { endpoint: AuthorityRequest['endpoint']; tenantId: string };

function route(path: string): Route {
  const [, tenantId = '', ...rest] = path.split('/');
  const tail = rest.join('/');
  const endpoint = (
    {
      'v2.0/.well-known/openid-configuration': 'discovery',
      'discovery/v2.0/keys': 'keys',
      'oauth2/v2.0/token': 'token',
      'oauth2/v2.0/devicecode': 'devicecode',
    } as const
  )[tail];
  return { endpoint: endpoint ?? 'unknown', tenantId };
}

async function answer(state: State, where: Route, form: URLSearchParams): Promise<[number, unknown]> {
  const { authority } = state;
  switch (where.endpoint) {
    case 'discovery':
      return [200, discovery(state.url, where.tenantId)];
    case 'keys':
      return [200, state.keys.jwks];
    case 'devicecode':
      return [200, deviceCode(state, where.tenantId, form)];
    case 'token': {
      const { subject, scope } = grantSubject(state, where.tenantId, form);
      const grant = {
        scope,
        lifetimeSeconds: nextLifetime(authority),
        unknownKey: authority.signWithUnknownKey,
        refreshTokens: state.refreshTokens,
      };
      return [200, await issue(state.keys, authority.issuer(where.tenantId), subject, grant)];
    }
    default:
      return [404, { error: 'not_found' }];
  }
}

function handler(state: State, requests: AuthorityRequest[]) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const form = new URLSearchParams(request.method === 'POST' ? Buffer.concat(chunks).toString() : '');
      const where = route(path);
      let [status, body]: [number, unknown] = [500, {}];
      try {
        [status, body] = await answer(state, where, form);
      } catch (error) {
        // A fault of the authority itself answers 500 (a test sees it in `requests`) rather than ending the test's process.
        [status, body] =
          error instanceof GrantError
            ? [error.status, error.body()]
            : [500, { error: 'server_error', error_description: String(error) }];
      }
      const field = (name: string) => form.get(name) ?? undefined;
      requests.push({
        method: request.method ?? 'GET',
        path,
        ...where,
        ...(field('grant_type') && { grantType: field('grant_type') }),
        ...(field('scope') && { scope: field('scope') }),
        ...(field('client_id') && { clientId: field('client_id') }),
        form,
        status,
      });
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    });
  };
}

/**
 * Starts a test authority on a free loopback port over HTTPS, with a new CA, a certificate for
 * `localhost` and an RS256 signing key of its own. Register apps and users, then point
 * `@azure/identity` at `url` (`authorityHost`, `disableInstanceDiscovery: true`) in a child
 * process started with `NODE_EXTRA_CA_CERTS=<caFile>`, and the server at `issuer(tenantId)`.
 */
export async function startTestAuthority(options: TestAuthorityOptions = {}): Promise<TestAuthority> {
  const requests: AuthorityRequest[] = [];
  const state = {
    keys: await authorityKeys(),
    apps: new Map(),
    users: new Map(),
    deviceCodes: new Map(),
    refreshTokens: new Map(),
  } as Omit<State, 'url' | 'authority'> as State;
  const server = await startTlsServer(handler(state, requests));
  const authority: TestAuthority = {
    url: server.url,
    caFile: server.caFile,
    caPem: server.caPem,
    folder: server.folder,
    issuer: (tenantId) => `${server.url}/${tenantId}/v2.0`,
    addApp: (app) => state.apps.set(`${app.tenantId}/${app.clientId}`, { objectId: randomUUID(), ...app }),
    addUser: (user) => state.users.set(`${user.tenantId}/${user.clientId}`, { objectId: randomUUID(), ...user }),
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    nextLifetimes: [],
    signWithUnknownKey: false,
    requests,
    tokenRequests: (grantType) =>
      requests.filter(
        (one) => one.endpoint === 'token' && one.status === 200 && (!grantType || one.grantType === grantType),
      ),
    signToken: (tenantId, claims = {}, signing = {}) =>
      state.keys.sign(
        {
          aud: PARTNER_CENTER_AUDIENCE,
          iss: authority.issuer(tenantId),
          tid: tenantId,
          oid: randomUUID(),
          idtyp: 'app',
          ver: '2.0',
          ...times(signing.lifetimeSeconds ?? authority.tokenLifetimeSeconds),
          ...claims,
        },
        signing.unknownKey,
      ),
    stop: () => server.close(),
  };
  Object.assign(state, { url: server.url, authority });
  return authority;
}
