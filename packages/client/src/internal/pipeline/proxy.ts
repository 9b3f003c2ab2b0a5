import type { Agent } from 'node:http';
import type * as HttpsProxyAgentModule from 'https-proxy-agent';
import type * as ProxyFromEnv from 'proxy-from-env';
import type { PipelineStep } from './pipeline.js';

// Names bundlers do not follow: this step runs in Node only, and a browser bundle must not carry
// (or fail to resolve) the Node modules these need.
const HTTPS_PROXY_AGENT = 'https-proxy-agent';
const PROXY_FROM_ENV = 'proxy-from-env';

/** A Node-only dependency of the client's own, loaded by a name a bundler does not see. */
function nodeOnly<T>(name: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}

/** A proxy URL without its credentials, for messages: `http://proxy.example:8080`. */
export function proxyLabel(proxyURL: string): string {
  try {
    const { protocol, host } = new URL(proxyURL);
    return `${protocol}//${host}`;
  } catch {
    return 'the proxy (not a URL)';
  }
}

/**
 * Node's proxy: the client's `proxy` option, else the environment's (`HTTPS_PROXY`, `HTTP_PROXY`,
 * `NO_PROXY` and their lower case, read by `proxy-from-env`, as axios reads them), `false` for
 * none. An `https` request goes through a `CONNECT` tunnel (`https-proxy-agent`: TLS to the API
 * inside it, the proxy sees only the host), an `http` one by absolute URI (axios' own `proxy`).
 * Sets the request's `axiosConfig`; one agent per proxy URL per client, so tunnels are reused.
 */
export async function proxy(setting: string | false | undefined): Promise<PipelineStep> {
  const { getProxyForUrl } = await nodeOnly<typeof ProxyFromEnv>(PROXY_FROM_ENV);
  const agents = new Map<string, Promise<Agent>>();
  const tunnel = (proxyURL: string) => {
    let agent = agents.get(proxyURL);
    if (!agent) {
      agent = nodeOnly<typeof HttpsProxyAgentModule>(HTTPS_PROXY_AGENT).then(
        ({ HttpsProxyAgent }) => new HttpsProxyAgent(proxyURL, { keepAlive: true }) as Agent,
      );
      agents.set(proxyURL, agent);
    }
    return agent;
  };
  return {
    name: 'proxy',
    async sendRequest(request, call, next) {
      const proxyURL = setting === false ? '' : (setting ?? getProxyForUrl(request.url));
      if (!proxyURL) {
        // Direct, and axios must not apply the environment's proxy on its own.
        request.axiosConfig = { ...request.axiosConfig, proxy: false };
      } else if (request.url.startsWith('https:')) {
        request.axiosConfig = { ...request.axiosConfig, proxy: false, httpsAgent: await tunnel(proxyURL) };
      } else {
        const { protocol, hostname, port, username, password } = new URL(proxyURL);
        request.axiosConfig = {
          ...request.axiosConfig,
          proxy: {
            protocol: protocol.slice(0, -1),
            host: hostname,
            port: Number(port) || (protocol === 'https:' ? 443 : 80),
            ...(username && {
              auth: { username: decodeURIComponent(username), password: decodeURIComponent(password) },
            }),
          },
        };
      }
      return next(request, call);
    },
  };
}
