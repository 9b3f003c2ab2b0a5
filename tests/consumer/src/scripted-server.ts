import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listenOnLoopback } from '@usagebudget/server/testing';

/** One request as the scripted server received it. */
export interface ScriptedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** An answer the scripted server gives: a status and a JSON body. */
export interface ScriptedAnswer {
  status: number;
  json: unknown;
}

/**
 * A loopback HTTP server that answers each request with the next queued answer (a 599 when none
 * is queued) and records it: for scripts of an installed package that must see a given answer.
 */
export async function startScriptedServer() {
  const requests: ScriptedRequest[] = [];
  const answers: ScriptedAnswer[] = [];
  const server = await listenOnLoopback(
    createServer((req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const { status, json } = answers.shift() ?? {
        status: 599,
        json: { code: 'Unscripted', description: 'no answer queued' },
      };
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)));
    }),
  );
  return {
    url: server.url,
    requests,
    answer: (...next: ScriptedAnswer[]) => answers.push(...next),
    close: server.close,
  };
}

/** A spec-shaped SpendingBudget of `customerTenantId`, as the service answers it. */
export function budgetOf(customerTenantId: string, amount: number | null) {
  return {
    amount,
    usageSpendingBudget: amount,
    attributes: { objectType: 'SpendingBudget' },
    links: { self: { uri: `/v1/customers/${customerTenantId}/usagebudget`, method: 'GET', headers: [] } },
  };
}
