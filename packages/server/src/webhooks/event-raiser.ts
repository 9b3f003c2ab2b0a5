// Raising an event: its body, made once (the exact bytes every attempt sends and signs), put in the
// outbox for the partner when its registration lists the event. Called inside the transaction of
// the change that raised it, so the event exists exactly when the change does.
import { randomUUID } from 'node:crypto';
import type { StoreOperations } from '../storage/store.js';
import { resourceNameOf } from './event-catalog.js';

/** An event to raise; `resourceName` defaults to the catalog's for the name. */
export interface EventToRaise {
  readonly eventName: string;
  /** Absolute, or `null` (some events have none). */
  readonly resourceUri: string | null;
  readonly resourceName?: string | undefined;
  readonly auditUri?: string | null | undefined;
  /** A test event's correlation ID. */
  readonly correlationId?: string | undefined;
}

/** What raising did: put the event in the outbox, or nothing, the partner not being registered for it. */
export type RaiseOutcome =
  | { readonly raised: true; readonly eventId: string; readonly body: string }
  | { readonly raised: false; readonly reason: 'notRegistered' | 'eventNotRegistered' };

/**
 * `2024-05-20T06:12:41.3370000+00:00`: UTC with seven fractional digits and an offset, as Partner
 * Center writes `ResourceChangeUtcDate`.
 */
export function partnerCenterUtc(at: Date): string {
  return `${at.toISOString().slice(0, 23)}0000+00:00`;
}

/** The body of an event, PascalCase and in the documented order, as the bytes that are signed. */
export function eventBody(event: EventToRaise, at: Date): string {
  return JSON.stringify({
    EventName: event.eventName,
    ResourceUri: event.resourceUri,
    ResourceName: event.resourceName ?? resourceNameOf(event.eventName),
    AuditUri: event.auditUri ?? null,
    ResourceChangeUtcDate: partnerCenterUtc(at),
  });
}

/** Raises events into the outbox; `raisedOne()` is called after each (the deliverer wakes up). */
export function createEventRaiser(raisedOne: () => void) {
  return {
    /** Puts the event in the outbox of `tx` (the transaction of the change that raised it) when the partner's registration lists it. */
    async raise(tx: StoreOperations, partnerId: string, event: EventToRaise, at: Date): Promise<RaiseOutcome> {
      const registration = await tx.registration(partnerId);
      if (!registration) return { raised: false, reason: 'notRegistered' };
      if (!registration.webhookEvents.includes(event.eventName)) return { raised: false, reason: 'eventNotRegistered' };
      const eventId = randomUUID();
      const body = eventBody(event, at);
      await tx.enqueueEvent({
        eventId,
        partnerId,
        eventName: event.eventName,
        body,
        correlationId: event.correlationId,
        callbackUrl: registration.webhookUrl,
        raisedAt: at.getTime(),
      });
      raisedOne();
      return { raised: true, eventId, body };
    },
  };
}

export type EventRaiser = ReturnType<typeof createEventRaiser>;
