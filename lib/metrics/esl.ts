/**
 * Event-socket health as metrics: connections up, drops and reconnects per component and FreeSWITCH node. Takes
 * any emitter of the ESL adapter's connection events (lib/esl's EslConnection), without depending on it.
 */
import { counter, gauge, labelValue } from './registry';

export interface EslConnectionEvents {
  on(event: 'connected' | 'reconnected', listener: () => void): unknown;
  on(event: 'disconnected', listener: (reason: string) => void): unknown;
  readonly isReady?: boolean;
}

/** Follows one connection; the gauge counts this connection as 1 while it is up. */
export function watchEslConnection(conn: EslConnectionEvents, component: 'esl-bridge' | 'voice-worker', node: string): void {
  const labels = { component, node: labelValue(node) };
  const up = gauge('eslConnected');
  const reconnects = counter('eslReconnects');
  const disconnects = counter('eslDisconnects');
  // Create the series at 0 so a dashboard shows the node before its first drop.
  reconnects.inc(labels, 0);
  disconnects.inc(labels, 0);
  up.inc(labels, 0);
  let isUp = conn.isReady === true;
  if (isUp) up.inc(labels);
  const setUp = (now: boolean) => {
    if (now === isUp) return;
    isUp = now;
    if (now) up.inc(labels);
    else up.dec(labels);
  };
  conn.on('connected', () => setUp(true));
  conn.on('reconnected', () => {
    reconnects.inc(labels);
    setUp(true);
  });
  conn.on('disconnected', () => {
    disconnects.inc(labels);
    setUp(false);
  });
}
