package dev.agentstream.job;

/**
 * Stable uids of every source, operator and sink of the job, which are also their names in the web
 * UI. Savepoints map state by uid: never change one, only add new ones.
 */
public final class OperatorIds {

    public static final String BUS_SOURCE = "bus-source";
    public static final String DECODE = "decode";
    public static final String THREAD_CONTEXT = "thread-context";
    public static final String CONVERSATION_BUDGET = "conversation-budget";
    public static final String LLM_CALL = "llm-call";
    public static final String EMIT = "emit";
    public static final String BUS_SINK = "bus-sink";
    public static final String USAGE_SINK = "usage-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";

    // Billing and history (on with dynamodb.enabled).
    public static final String USAGE_SOURCE = "usage-source";
    public static final String USAGE_TOTALS = "usage-totals";
    public static final String TOTALS_SINK = "totals-sink";
    public static final String THREAD_INDEX = "thread-index";
    public static final String THREAD_INDEX_SINK = "thread-index-sink";
    public static final String TRANSCRIPT = "transcript";
    public static final String TRANSCRIPT_SINK = "transcript-sink";

    // Quotas (always in the graph; without limits the stage lets every turn through).
    public static final String QUOTA_USAGE_SOURCE = "quota-usage-source";
    public static final String QUOTA = "quota";

    // Control topic and tenant erasure (on with control.enabled).
    public static final String CONTROL_SOURCE = "control-source";
    public static final String CONTROL_DECODE = "control-decode";
    public static final String ERASURE_RECEIPTS = "erasure-receipts";
    public static final String RECEIPTS_SINK = "receipts-sink";
    public static final String DYNAMODB_ERASURE = "dynamodb-erasure";

    /** Every uid, in graph order. */
    public static final String[] ALL = {
        BUS_SOURCE,
        DECODE,
        THREAD_CONTEXT,
        CONVERSATION_BUDGET,
        LLM_CALL,
        EMIT,
        BUS_SINK,
        USAGE_SINK,
        DEAD_LETTER_SINK,
        USAGE_SOURCE,
        USAGE_TOTALS,
        TOTALS_SINK,
        THREAD_INDEX,
        THREAD_INDEX_SINK,
        TRANSCRIPT,
        TRANSCRIPT_SINK,
        QUOTA_USAGE_SOURCE,
        QUOTA,
        CONTROL_SOURCE,
        CONTROL_DECODE,
        ERASURE_RECEIPTS,
        RECEIPTS_SINK,
        DYNAMODB_ERASURE
    };

    private OperatorIds() {}
}
