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
 * Sets the request's `axiosConfig`, decided once per origin per client (the environment read then);
 * one agent per proxy URL per client, so tunnels are reused.
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
  // How each origin is reached, decided with its first request: the environment is read once a client and origin.
  const configs = new Map<string, Promise<Record<string, unknown>>>();
  const configFor = async (url: string): Promise<Record<string, unknown>> => {
    const proxyURL = setting === false ? '' : (setting ?? getProxyForUrl(url));
    // Direct, and axios must not apply the environment's proxy on its own.
    if (!proxyURL) return { proxy: false };
    if (url.startsWith('https:')) return { proxy: false, httpsAgent: await tunnel(proxyURL) };
    const { protocol, hostname, port, username, password } = new URL(proxyURL);
    return {
      proxy: {
        protocol: protocol.slice(0, -1),
        host: hostname,
        port: Number(port) || (protocol === 'https:' ? 443 : 80),
        ...(username && { auth: { username: decodeURIComponent(username), password: decodeURIComponent(password) } }),
      },
    };
  };
  return {
    name: 'proxy',
    async sendRequest(request, call, next) {
      const { origin } = new URL(request.url);
      let config = configs.get(origin);
      if (!config) {
        config = configFor(request.url);
        configs.set(origin, config);
      }
      request.axiosConfig = { ...request.axiosConfig, ...(await config) };
      return next(request, call);
    },
  };
}
