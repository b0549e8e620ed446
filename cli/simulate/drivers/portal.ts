/**
 * Drives a web session through the portal's own HTTP routes, as a browser does (`ivr simulate --via portal`): the
 * start is POST /portal/api/session (the session and its first screen), each input POST /portal/api/input with the
 * portal's cookie, a hang-up POST /portal/api/logout. The script's expectations still read the session's view and
 * trace from Temporal, so they check the same things on both paths.
 *
 * What a browser cannot send has no portal form: a key press becomes the choice offered for that key on the current
 * screen (or, where the screen collects a value, the typed digits without the closing #); speech becomes typed text;
 * audio is refused. The portal runs the machine the API was given (PORTAL_MACHINE) with the portal's waiting rule,
 * so a script's silence never times out there.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { traceQuery, viewQuery, type CallerInput, type SessionView } from '../../../workflows/session-api';
import type { SessionDriver } from '../runner';

export interface PortalDriverOptions {
  client: Client;
  /** The API serving the portal, e.g. http://127.0.0.1:3000 */
  apiUrl: string;
}

/** The portal's answer to a request that did not succeed: what the script's failure shows. */
export class PortalRouteError extends Error {
  override name = 'PortalRouteError';
}

const COOKIE = 'care_portal';

export class PortalSessionDriver implements SessionDriver {
  id = '';
  private cookie = '';
  private handle: WorkflowHandle | undefined;

  constructor(private readonly opts: PortalDriverOptions) {}

  get workflowId(): string | undefined {
    return this.handle?.workflowId;
  }

  private async post(route: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.opts.apiUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0] ?? '';
      if (pair.startsWith(`${COOKIE}=`)) this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    if (!res.ok) throw new PortalRouteError(`POST ${route} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  async start(): Promise<void> {
    await this.post('/portal/api/session', {});
    const id = /^care_portal=([^.]+)\./.exec(this.cookie)?.[1];
    if (!id) throw new PortalRouteError('POST /portal/api/session set no portal cookie');
    this.id = id;
    this.handle = this.opts.client.workflow.getHandle(`web-${id}`);
  }

  private get session(): WorkflowHandle {
    if (!this.handle) throw new Error('portal session not started');
    return this.handle;
  }

  view(): Promise<SessionView> {
    return this.session.query(viewQuery);
  }

  trace(since: number) {
    return this.session.query(traceQuery, since);
  }

  async send(input: CallerInput): Promise<void> {
    if (input.kind === 'hangup') {
      await this.post('/portal/api/logout', {});
      return;
    }
    // The portal's event ids are letters, digits, - and _ (the script's carry its session id and a colon).
    const eventId = input.eventId.replace(/[^A-Za-z0-9_-]/g, '-').slice(-100);
    await this.post('/portal/api/input', { eventId, ...(await this.formOf(input)) });
  }

  /** What a person would click or type on the current screen for this input. */
  private async formOf(input: Exclude<CallerInput, { kind: 'hangup' }>): Promise<{ choice: string } | { text: string }> {
    switch (input.kind) {
      case 'speech':
      case 'text':
        return { text: input.text };
      case 'dtmf': {
        const v = await this.view();
        if (v.listen?.collect) return { text: input.digits.replace(/#$/, '') };
        const choice = v.listen?.choices.find((c) => c.dtmf.includes(input.digits));
        // A key no choice has: typed as it is, so the session hears an answer it does not understand.
        return choice ? { choice: choice.id } : { text: input.digits };
      }
      case 'audio':
      case 'noinput':
        throw new PortalRouteError(`the portal has no form for a${input.kind === 'audio' ? 'n audio' : ' no-input'} step; run this script without --via portal`);
    }
  }

  async stop(): Promise<void> {
    const view = await this.view().catch(() => undefined);
    if (view && !view.ended) await this.post('/portal/api/logout', {}).catch(() => undefined);
  }
}
