/**
 * Imported first by bench/turns.ts: the product's loggers write to stdout, and one info line per backend call would
 * mix with the table or the JSON when the worker runs in the bench's process (the child worker inherits the same
 * default). The product's modules make their loggers when loaded, at the level LOG_LEVEL names then.
 */
process.env.LOG_LEVEL ??= 'warn';

export {};
