package dev.agentstream.deploy;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The metric names the dashboard and the alerts may use, as Flink's Prometheus reporter writes
 * them: {@code flink_} + the logical scope + the metric name. The job's metrics sit in the operator
 * scope; a key/value group such as {@code addGroup("backend", name)} adds its key to the name and
 * its value as a label.
 */
final class MetricNames {

    static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    static final String TASK = "flink_taskmanager_job_task_";
    static final String JOB = "flink_jobmanager_job_";
    static final String ROUTER = OPERATOR + "router_backend_";
    static final String USAGE = OPERATOR + "tenant_agent_provider_";

    /** The job's own metrics, Prometheus name to the name registered in udfs. */
    static final Map<String, String> JOB_METRICS = jobMetrics();

    /** Flink's own metrics that the dashboard and the alerts use. */
    static final Set<String> FLINK_BUILT_INS =
            Set.of(
                    // Kafka source of bus-source: backlog, and the consumer's own lag metric.
                    OPERATOR + "pendingRecords",
                    OPERATOR + "KafkaSourceReader_KafkaConsumer_records_lag_max",
                    // Every operator: records in and out (a Kafka sink's writer counts sent ones).
                    OPERATOR + "numRecordsIn",
                    OPERATOR + "numRecordsOut",
                    TASK + "busyTimeMsPerSecond",
                    TASK + "backPressuredTimeMsPerSecond",
                    JOB + "numberOfCompletedCheckpoints",
                    JOB + "numberOfFailedCheckpoints",
                    JOB + "lastCheckpointDuration",
                    JOB + "lastCheckpointSize",
                    JOB + "numRestarts");

    /** The labels (metric group variables and the job's key/value groups) queries may use. */
    static final Set<String> LABELS =
            Set.of(
                    "job_name",
                    "job_id",
                    "task_name",
                    "operator_name",
                    "subtask_index",
                    "tm_id",
                    "host",
                    "backend",
                    "error",
                    "tenant",
                    "agent",
                    "provider",
                    "quantile");

    private MetricNames() {}

    static Set<String> known() {
        Set<String> known = new TreeSet<>(JOB_METRICS.keySet());
        known.addAll(FLINK_BUILT_INS);
        // A histogram is a summary there: its quantiles under the name, its count beside it.
        known.add(ROUTER + "llmLatencyMs_count");
        return known;
    }

    private static Map<String, String> jobMetrics() {
        Map<String, String> metrics = new TreeMap<>();
        for (String name :
                new String[] {
                    // thread-context
                    "contextAppends",
                    "contextEvictions",
                    "turnsStarted",
                    "envelopesRefused",
                    "turnsWaiting",
                    "turnsReleasedWithoutAnswer",
                    "answersRoutedToCaller",
                    "answersFromSubthreads",
                    "waitingInputsEvicted",
                    // decode
                    "deadLetters",
                    // conversation-budget
                    "conversationTurnsAdmitted",
                    "conversationTurnsRejected",
                    // quota
                    "quotaAdmitted",
                    "quotaRejected",
                    "quotaSettled",
                    "quotaReservationsExpired",
                    "quotaWaiting",
                    // llm-call
                    "llmCalls",
                    "llmFailures",
                    "llmCallsResentAfterRestore",
                    "cacheHits",
                    "cacheMisses",
                    // emit
                    "envelopesEmitted",
                    "unusableAnswers",
                    "usageUnpriced",
                    // usage-totals
                    "usageLate",
                    "usageLateWithinLateness",
                    // control-decode
                    "controlCommands",
                    "controlCommandsRefused"
                }) {
            metrics.put(OPERATOR + name, name);
        }
        // llm-call, group router, then backend=<name> (and error=<class> for the errors).
        for (String name :
                new String[] {"llmAttempts", "llmLatencyMs", "breakerState", "llmInFlight"}) {
            metrics.put(ROUTER + name, name);
        }
        metrics.put(ROUTER + "error_llmErrors", "llmErrors");
        // emit, groups tenant=<t>, agent=<a>, provider=<p>.
        for (String name :
                new String[] {
                    "usageTurns", "usageInputTokens", "usageOutputTokens", "usageCostMicros"
                }) {
            metrics.put(USAGE + name, name);
        }
        return metrics;
    }
}
