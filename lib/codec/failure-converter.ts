/**
 * Failure converter loaded by path (`failureConverterPath`), in workers, clients and the workflow bundle.
 * It moves failure messages and stack traces into `encodedAttributes`, which then pass through the payload codec:
 * an error message may quote a phone or a transcript, and the raw history must not show it in clear.
 * The Temporal UI decodes `encodedAttributes` through the codec server like any other payload.
 *
 * Deterministic and import-light on purpose: it is bundled into workflow code.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
