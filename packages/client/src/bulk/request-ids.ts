import { isGuid } from '../index.js';

function guidBytes(guid: string): Uint8Array {
  const hex = guid.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, index) => Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

function guidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The `MS-RequestId` of one budget update of a bulk run: a name-based UUID (RFC 9562 version 5,
 * SHA-1) of the run id and the update, so the same run sends the same update with the same id
 * every time, across retries and across processes (a resumed run). The service answers a repeated
 * id as a replay, so an update is applied once however often it is sent.
 *
 * @param runId - the run's GUID (the namespace)
 * @param customerTenantId - the customer tenant ID (compared in lower case)
 * @param amount - the budget's canonical decimal text (`exactDecimal`), or `null` to clear
 */
export async function bulkRequestId(runId: string, customerTenantId: string, amount: string | null): Promise<string> {
  if (!isGuid(runId)) throw new RangeError(`runId must be a GUID (got "${runId}")`);
  const name = new TextEncoder().encode(`${customerTenantId.toLowerCase()}=${amount ?? 'null'}`);
  const input = new Uint8Array(16 + name.length);
  input.set(guidBytes(runId.toLowerCase()));
  input.set(name, 16);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  return guidText(hash);
}
