import type { AxiosInstance } from 'axios';
import type { UsageBudgetApi } from '../generated/api.js';

// The raw API imports axios, which takes ~100 ms to load: loading it on the first call keeps
// importing the client cheap (a CLI's --help never pays for it).
let rawApi: Promise<typeof import('../raw.js')> | undefined;

/** The generated `UsageBudgetApi` for `basePath`, loaded (with axios) on first use. */
export async function loadUsageBudgetApi(basePath: string, axios: AxiosInstance | undefined): Promise<UsageBudgetApi> {
  rawApi ??= import('../raw.js');
  const { UsageBudgetApi, Configuration } = await rawApi;
  return new UsageBudgetApi(new Configuration({ basePath }), basePath, axios);
}
