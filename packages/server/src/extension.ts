// `@usagebudget/server/extension`: what code in front of the API (`startServer({ extend })`, as
// `@usagebudget/mock` puts its test controls there) builds its answers with, so that they are the
// API's: its faults (`ApiFault` bodies with Partner Center's codes), the tracing ids every answer
// carries, JSON request bodies read within a limit, JSON written with exact number texts, and
// answers streamed a chunk per turn of the event loop.
export { type ApiFault, faults, HttpError } from './contract/faults.js';
export { JsonArrayStream, JsonTextValue, jsonChunks } from './http/json-number-text.js';
export { MAX_BODY_BYTES, readJsonBody } from './http/request-body.js';
export { StreamedBody, type StreamOutcome, writeStreamed } from './http/streamed-body.js';
export { type TracingIds, tracingIds } from './http/tracing-ids.js';
