/**
 * Imported first by a command whose output is the conversation itself (`ivr call`): the product's modules make their
 * loggers when they are loaded, at the level LOG_LEVEL names then, so it must be set before they are imported.
 */
process.env.LOG_LEVEL ??= 'warn';

export {};
