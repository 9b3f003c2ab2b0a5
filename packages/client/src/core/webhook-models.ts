// What the webhook registration methods take. What they return is the spec's own models
// (`WebhookRegistration`, `WebhookValidationEventCreated`, `WebhookValidationEventStatus`).

/**
 * A registration to create or replace: where Partner Center sends events, and which.
 * `webhookUrl` is an absolute `https` URL (`http` only for a test receiver a reference server or
 * mock may call), without user name, password or fragment; `webhookEvents` 1 to 64 distinct
 * names from `listWebhookEvents()`; `signatureTokenToMsSignatureHeader: true` sends each
 * signature in `x-ms-signature` instead of `Authorization`.
 */
export interface WebhookRegistrationRequest {
  webhookUrl: string;
  webhookEvents: string[];
  signatureTokenToMsSignatureHeader?: boolean;
}
