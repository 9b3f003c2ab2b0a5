import { describe, expect, it } from 'vitest';
import { type ArrivedEvent, type CrossingTimes, matchDeliveries } from '../src/webhook-latency.js';

/** A PATCH sent at wall-clock `sent` (ms) and answered at `answered`; its performance.now() times are the same numbers. */
const crossing = (sent: number, answered: number): CrossingTimes => ({
  sentAt: sent,
  sentWall: sent,
  answeredAt: answered,
  answeredWall: answered,
});
const event = (changedWall: number, receivedAt: number): ArrivedEvent => ({ changedWall, receivedAt });

const latencies = (result: ReturnType<typeof matchDeliveries>) =>
  result.pairs.map(({ index, crossing, event }) => [index, event.receivedAt - crossing.sentAt]);

describe('matchDeliveries', () => {
  const crossings = [crossing(1000, 1004), crossing(1020, 1023), crossing(1040, 1046)];

  it('pairs each crossing with the event raised during its PATCH, whatever order the deliveries arrived in', () => {
    // The second crossing's delivery arrives first.
    const result = matchDeliveries(crossings, [event(1042, 1050), event(1002, 1060), event(1021, 1030)]);
    expect(latencies(result)).toEqual([
      [0, 60],
      [1, 10],
      [2, 10],
    ]);
    expect(result).toMatchObject({ missing: 0, extra: 0 });
  });

  it('counts a crossing with no event as missing without shifting the later pairs', () => {
    const result = matchDeliveries(crossings, [event(1003, 1010), event(1045, 1052)]);
    expect(latencies(result)).toEqual([
      [0, 10],
      [2, 12],
    ]);
    expect(result).toMatchObject({ missing: 1, extra: 0 });
  });

  it('counts a second event in one crossing, and an event raised outside every PATCH, as extra', () => {
    const result = matchDeliveries(crossings, [
      event(990, 995),
      event(1001, 1008),
      event(1004, 1009),
      event(1022, 1029),
      event(1041, 1048),
      event(1050, 1055),
    ]);
    expect(latencies(result)).toEqual([
      [0, 8],
      [1, 9],
      [2, 8],
    ]);
    expect(result).toMatchObject({ missing: 0, extra: 3 });
  });

  it('takes events raised in the same millisecond in the order they arrived', () => {
    // The first PATCH is answered in the millisecond the second is sent; both events carry it.
    const touching = [crossing(1000, 1005), crossing(1005, 1009)];
    const result = matchDeliveries(touching, [event(1005, 1030), event(1005, 1020)]);
    expect(latencies(result)).toEqual([
      [0, 20],
      [1, 25],
    ]);
    expect(result).toMatchObject({ missing: 0, extra: 0 });
  });
});
