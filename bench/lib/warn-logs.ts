/**
 * Imported first by the benchmarks (turns, portal, sqlite): the product's loggers write to stdout, and one info line per backend call would
 * mix with the table or the JSON when the worker runs in the bench's process (the child worker inherits the same
 * default). The product's modules make their loggers when loaded, at the level LOG_LEVEL names then.
 */
process.env.LOG_LEVEL ??= 'warn';
// What is still logged goes to stderr with the progress lines: stdout holds only the table or the JSON.
process.env.LOG_DESTINATION ??= 'stderr';

export {};
