import { HttpError } from '@usagebudget/server/extension';

/** An error answer of the test controls: the shape of the API's `ApiFault`, with the fields at fault in `data`. */
export const adminError = (status: number, code: string, description: string, data?: readonly string[]) =>
  new HttpError(status, data ? { code, description, data: [...data] } : { code, description });
