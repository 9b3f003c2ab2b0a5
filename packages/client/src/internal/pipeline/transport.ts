import type { AxiosInstance, AxiosResponse } from 'axios';
import type { PipelineResponse, Transport } from './pipeline.js';

// axios takes ~100 ms to load: loading it on a client's first call keeps importing the client
// cheap (a CLI's --help never pays for it). The module system loads it once, whichever client asks first.

function pipelineResponse(response: AxiosResponse<unknown>): PipelineResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = String(value);
  const finalURL: unknown = response.request?.responseURL;
  return {
    status: response.status,
    headers,
    body: String(response.data ?? ''),
    url: typeof finalURL === 'string' && finalURL ? finalURL : undefined,
  };
}

/**
 * Sends an attempt with axios (the caller's instance: its interceptors, proxies and adapter; else
 * the global one, loaded with the first call) and counts it. Every status resolves, the body as
 * text: the steps decide what is an error and parse it. No redirect is followed, and no timeout of
 * axios' own applies (the attempt's deadline bounds it; an instance's own socket idle timeout
 * would let a trickling body run on and end a silent one as a broken stream).
 */
export function axiosTransport(instance: AxiosInstance | undefined): Transport {
  let axios = instance;
  let loading: Promise<void> | undefined;
  return {
    prepare() {
      if (axios) return undefined;
      loading ??= import('axios').then((loaded) => {
        axios = loaded.default;
      });
      return loading;
    },
    async send(request, call) {
      call.response = undefined;
      call.attempts++;
      const response = await (axios as AxiosInstance).request({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.body,
        signal: request.signal,
        timeout: 0,
        maxContentLength: request.maxResponseBytes ?? -1,
        maxRedirects: 0,
        responseType: 'text',
        // No transform: the body stays the text it came as.
        transformResponse: [],
        validateStatus: null,
        ...request.axiosConfig,
      });
      call.response = pipelineResponse(response);
      return call.response;
    },
  };
}
