/**
 * FreeSWITCH's event socket behind one typed adapter: configuration, errors, bounded framing, the connection and the
 * events it hands out. A leaf library: it imports nothing of the application.
 */
export { DEFAULT_PASSWORD, EslEnvSchema, loadEslConfig, type EslConfig } from './config';
export { EslChannelGoneError, EslCommandError, EslDisconnectedError, EslError, EslFramingError, EslTimeoutError } from './errors';
export { DEFAULT_LIMITS, MAX_BODY_BYTES, MAX_HEADER_BYTES, type FramingLimits } from './framing';
export { EslConnection, type EslConnectionEvents, type EslConnectionOptions, type ExecuteOptions } from './connection';
export {
  EVENT_SCHEMAS,
  KNOWN_EVENT_NAMES,
  isEvent,
  validateEvent,
  variablesOf,
  type EslEvent,
  type ExecuteComplete,
  type KnownEventName,
  type TypedEslEvent,
  type ValidationResult,
} from './events';
