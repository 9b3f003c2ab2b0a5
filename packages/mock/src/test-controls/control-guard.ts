import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from '@usagebudget/server/extension';
import { MOCK_ADMIN_HEADER, MOCK_ADMIN_HEADER_VALUE } from './control-surface.js';

const JSON_MEDIA_TYPE = 'application/json';

/** The hostname of a `Host` header or of an origin, lower case; `undefined` when it is none. */
function hostnameOf(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return undefined;
  }
}

const refused = (status: number, code: string, description: string, data: readonly string[]) =>
  new HttpError(status, { code, description, data: [...data] });

/**
 * Checks a request of the test controls before it does anything, in this order:
 *
 * - its `Host` names loopback (`localhost`, `*.localhost`), an IP address, the host the mock
 *   listens on or one of `allowedHosts`: else 421 `MisdirectedRequest`. A page that reaches the
 *   mock through a name of its own that resolves to 127.0.0.1 (DNS rebinding) sends its own name.
 *   An IP address cannot be rebound: a page could only be served from it.
 * - an `Origin`, when sent, is of such a host too: else 403 `CrossOriginRequest`;
 * - it carries `X-Usagebudget-Mock: 1`: else 403 `MockHeaderRequired`;
 * - a body, or a `Content-Type`, is `application/json`: else 415 `UnsupportedMediaType` (a form
 *   or a `text/plain` body is what a page sends without a preflight).
 *
 * Returns the refusal, or `undefined` to let the request through.
 */
export function createControlGuard(options: {
  readonly listenHost: string;
  readonly allowedHosts?: readonly string[] | undefined;
}): (req: IncomingMessage) => HttpError | undefined {
  const allowed = new Set(
    [options.listenHost, ...(options.allowedHosts ?? [])].map((host) => hostnameOf(host) ?? host.toLowerCase()),
  );
  const isAllowed = (hostname: string | undefined) =>
    hostname !== undefined &&
    (isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0 ||
      hostname === 'localhost' ||
      hostname.endsWith('.localhost') ||
      allowed.has(hostname));
  const named = [...allowed].filter((host) => isIP(host.replace(/^\[(.*)\]$/, '$1')) === 0);
  const hostsText = `loopback (localhost), IP addresses${named.length ? `, ${named.join(', ')}` : ''}`;

  return (req) => {
    const host = req.headers.host;
    if (!isAllowed(host === undefined ? undefined : hostnameOf(host))) {
      return refused(
        421,
        'MisdirectedRequest',
        `The test controls answer requests sent to ${hostsText}, not to ${host === undefined ? 'no Host' : `Host ${JSON.stringify(host)}`}: a web page reaching the mock through a name of its own (DNS rebinding) would look so. Start the mock with allowedHosts (--allowed-host) to let a host name in.`,
        ['Host'],
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = origin === 'null' ? undefined : new URL(origin).hostname;
      } catch {
        originHost = undefined;
      }
      if (!isAllowed(originHost)) {
        return refused(
          403,
          'CrossOriginRequest',
          `The test controls refuse requests from web pages of other sites (Origin ${JSON.stringify(origin)}).`,
          ['Origin'],
        );
      }
    }
    if (req.headers[MOCK_ADMIN_HEADER.toLowerCase()] !== MOCK_ADMIN_HEADER_VALUE) {
      return refused(
        403,
        'MockHeaderRequired',
        `Send ${MOCK_ADMIN_HEADER}: ${MOCK_ADMIN_HEADER_VALUE} with every request of the test controls (the mock's admin client does): a web page cannot send it to the mock unless the mock consents, which it never does.`,
        [MOCK_ADMIN_HEADER],
      );
    }
    const contentType = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if (
      (contentType !== undefined || hasBody) &&
      contentType?.split(';', 1)[0]?.trim().toLowerCase() !== JSON_MEDIA_TYPE
    ) {
      return refused(
        415,
        'UnsupportedMediaType',
        `The test controls take ${JSON_MEDIA_TYPE} bodies only (Content-Type: ${contentType ?? 'none'}).`,
        ['Content-Type'],
      );
    }
    return undefined;
  };
}
