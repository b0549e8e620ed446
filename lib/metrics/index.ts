/** Prometheus metrics of the product (prom-client): names and help texts, the registry, peers, ESL, the listener. */
export { METRIC_DEFS, PRODUCT_METRIC_NAMES, type MetricKey, type MetricType } from './names';
export { registry, counter, gauge, histogram, labelValue, errorClass, statusClass, enableProcessMetrics, registerAllMetrics } from './registry';
export { observePeerCall, instrumentMethods, type Peer } from './peers';
export { watchEslConnection } from './esl';
export { metricsEnvSchema, metricsConfigFromEnv, scrapeAllowed, answerScrape, startMetricsServer, serveMetricsFromEnv, type MetricsServer, type MetricsEnv } from './server';
