import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

/** One HTTP attempt as it went over the wire, header names in lower case. */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The raw body text (the client asks axios for text). */
  readonly body: string;
}

export interface RecordingAxios {
  /** Pass it as the client's `axios` option: public API of `@usagebudget/client`. */
  readonly axios: AxiosInstance;
  /** Every response received so far, in order. */
  readonly exchanges: readonly Exchange[];
}

function lowerCased(headers: object): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = String(value);
  }
  return result;
}

function record(response: AxiosResponse): Exchange {
  const { config } = response;
  const requestHeaders = lowerCased(config.headers.toJSON());
  return {
    method: (config.method ?? 'get').toUpperCase(),
    url: config.url ?? '',
    requestHeaders,
    status: response.status,
    responseHeaders: lowerCased(response.headers),
    body: typeof response.data === 'string' ? response.data : JSON.stringify(response.data),
  };
}

/**
 * An axios instance that records every exchange, and sends `Prefer` (Prism's way to choose a
 * documented response) when given.
 */
export function createRecordingAxios(prefer?: string): RecordingAxios {
  const instance = axios.create();
  const exchanges: Exchange[] = [];
  if (prefer) {
    instance.interceptors.request.use((config) => {
      config.headers.set('Prefer', prefer);
      return config;
    });
  }
  instance.interceptors.response.use((response) => {
    exchanges.push(record(response));
    return response;
  });
  return { axios: instance, exchanges };
}

/**
 * What Prism said was wrong with an exchange: `sl-violations` (request or response against the
 * spec, also on successful answers), a 422, or an error Prism generated itself instead of the
 * documented response (problem+json: no such status, a response violation under `--errors`).
 */
export function prismViolations(exchange: Exchange): string[] {
  const where = `${exchange.method} ${exchange.url} -> ${exchange.status}`;
  const violations = exchange.responseHeaders['sl-violations'];
  if (violations) return [`${where}: sl-violations ${violations}`];
  if (exchange.status === 422) return [`${where}: the request was rejected: ${exchange.body}`];
  if (exchange.responseHeaders['content-type']?.startsWith('application/problem+json')) {
    return [`${where}: Prism answered itself: ${exchange.body}`];
  }
  return [];
}
