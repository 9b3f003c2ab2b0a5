import type { AxiosInstance } from 'axios';
import type {
  CustomersApiAxiosParamCreator,
  UsageApiAxiosParamCreator,
  UsageBudgetApiAxiosParamCreator,
} from '../generated/api.js';

// The generated code imports axios, which takes ~100 ms to load: loading it on the first call
// keeps importing the client cheap (a CLI's --help never pays for it). The module system loads it
// once, whichever client asks first.

/** The generated request builder of every operation, by operationId: the request the spec gives a call. */
export type RequestBuilders = ReturnType<typeof UsageBudgetApiAxiosParamCreator> &
  ReturnType<typeof CustomersApiAxiosParamCreator> &
  ReturnType<typeof UsageApiAxiosParamCreator>;

/** The request builders, and the axios that sends what they build and the links the facade follows. */
export interface RawApi {
  requests: RequestBuilders;
  axios: AxiosInstance;
}

/**
 * The header parameters every operation declares first (`MS-RequestId`, `MS-CorrelationId`,
 * `X-Locale`, `MS-Contract-Version`, `MS-PartnerCenter-Application`, `MS-PartnerCenter-Client`),
 * left out: the attempt loop sends them in each attempt's request config.
 */
export const HEADERS_IN_CONFIG = [undefined, undefined, undefined, undefined, undefined, undefined] as const;

/** The generated request builders and axios, loaded on first use. */
export async function loadRawApi(axios: AxiosInstance | undefined): Promise<RawApi> {
  const generated = await import('./generated-requests.js');
  return {
    requests: {
      ...generated.UsageBudgetApiAxiosParamCreator(),
      ...generated.CustomersApiAxiosParamCreator(),
      ...generated.UsageApiAxiosParamCreator(),
    },
    axios: axios ?? generated.axios,
  };
}
