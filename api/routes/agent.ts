/** PUT /agent/notify: audit record of a handoff to a human (optional for the machine). */
import { z } from 'zod';
import { route, type AnyRoute } from '../http';
import { optionalId } from '../schemas';
import { escapeHtml } from '../services/messaging';
import { kit } from './context';
import { writeMarker } from '../odoo/practice';

const notify = route({
  method: 'put',
  path: '/agent/notify',
  summary: 'Record that a session was handed to a human (stored; also a note on the partner when logged in).',
  auth: 'optional',
  idempotent: true,
  body: z.object({
    reason: z.string().min(1).max(200).default('handoff'),
    state: z.string().max(200).optional(),
    queue_id: z.string().max(100).optional(),
    call_id: optionalId,
    session_id: optionalId,
  }),
  response: z.object({ recorded: z.literal(true), note_id: z.number().int() }),
  async handler({ body, session, idempotencyKey, requestId }, deps) {
    const partnerId = session?.partnerId ?? null;
    const id = await deps.store.appendAgentNote({ partnerId, reason: body.reason, state: body.state ?? null, callId: body.call_id, sessionId: body.session_id ?? session?.sessionId ?? null, at: deps.clock.now() });
    if (partnerId !== null) {
      await kit(deps).practice.postNote('res.partner', partnerId, `<p>Transfert vers un conseiller${body.queue_id ? ` (file ${escapeHtml(body.queue_id)})` : ''} : ${escapeHtml(body.reason)}${body.state ? `, depuis l'étape ${escapeHtml(body.state)}` : ''}${body.call_id ? `, appel ${escapeHtml(body.call_id)}` : ''}.</p>`, writeMarker(`agent:${partnerId}:${idempotencyKey ?? requestId}`));
    }
    return { recorded: true as const, note_id: id };
  },
});

export const agentRoutes: AnyRoute[] = [notify];
