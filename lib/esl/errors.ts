/** What can go wrong on the event socket, one class per way a caller reacts to it. */

export class EslError extends Error {
  override name = 'EslError';
}

/** FreeSWITCH answered -ERR (reply text in the message). */
export class EslCommandError extends EslError {
  override name = 'EslCommandError';
  constructor(
    readonly command: string,
    readonly reply: string,
  ) {
    super(`FreeSWITCH refused "${command}": ${reply}`);
  }
}

export class EslTimeoutError extends EslError {
  override name = 'EslTimeoutError';
}

export class EslDisconnectedError extends EslError {
  override name = 'EslDisconnectedError';
}

/** The channel hung up (or no longer exists) before the application completed. */
export class EslChannelGoneError extends EslError {
  override name = 'EslChannelGoneError';
  constructor(
    readonly uuid: string,
    readonly hangupCause?: string,
  ) {
    super(`channel ${uuid} is gone${hangupCause ? ` (${hangupCause})` : ''} before the application completed`);
  }
}

/**
 * The byte stream cannot be split into frames any more (bad or oversized Content-Length, a header section that is
 * not headers or never ends). Nothing after it can be trusted: the connection is dropped and opened again.
 * The reason names the rule and numbers only, never bytes of the stream (they may hold phone numbers).
 */
export class EslFramingError extends EslError {
  override name = 'EslFramingError';
  constructor(readonly reason: string) {
    super(`event socket stream out of frame: ${reason}`);
  }
}
