package dev.agentstream.udfs.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

/**
 * The names of the job's spans and of their attributes, after the OpenTelemetry GenAI conventions
 * where they have one. Attributes name who and where (tenant, thread, agent, envelope, backend,
 * model) and how it went (status, tokens, error class): never a payload, a prompt or a key.
 */
public final class SpanAttributes {

    public static final String ENVELOPE = "envelope";
    public static final String DECODE = "decode";
    public static final String THREAD_CONTEXT = "thread-context";
    public static final String CONVERSATION_BUDGET = "conversation-budget";
    public static final String QUOTA = "quota";
    public static final String LLM_CALL = "llm-call";
    public static final String LLM_ATTEMPT = "llm-attempt";
    public static final String EMIT = "emit";

    public static final AttributeKey<String> TENANT = AttributeKey.stringKey("agentstream.tenant");
    public static final AttributeKey<String> CONVERSATION =
            AttributeKey.stringKey("gen_ai.conversation.id");
    public static final AttributeKey<String> AGENT = AttributeKey.stringKey("gen_ai.agent.name");
    public static final AttributeKey<String> ENVELOPE_ID =
            AttributeKey.stringKey("agentstream.envelope.id");
    public static final AttributeKey<String> DEAD_LETTER =
            AttributeKey.stringKey("agentstream.dead_letter.reason");
    public static final AttributeKey<String> OPERATION =
            AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> REQUEST_MODEL =
            AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<String> RESPONSE_MODEL =
            AttributeKey.stringKey("gen_ai.response.model");
    public static final AttributeKey<Long> INPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> OUTPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.output_tokens");
    public static final AttributeKey<String> TURN_STATUS =
            AttributeKey.stringKey("agentstream.turn.status");
    public static final AttributeKey<Long> ATTEMPTS =
            AttributeKey.longKey("agentstream.llm.attempts");
    public static final AttributeKey<Boolean> CACHE_HIT =
            AttributeKey.booleanKey("agentstream.llm.cache_hit");
    public static final AttributeKey<String> BACKEND =
            AttributeKey.stringKey("agentstream.llm.backend");
    public static final AttributeKey<Long> ATTEMPT =
            AttributeKey.longKey("agentstream.llm.attempt");
    public static final AttributeKey<Long> ENVELOPES =
            AttributeKey.longKey("agentstream.emit.envelopes");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** {@code admitted} or {@code rejected}: how a turn left a limiting stage. */
    public static final AttributeKey<String> OUTCOME =
            AttributeKey.stringKey("agentstream.outcome");

    public static final AttributeKey<String> CONVERSATION_ROOT =
            AttributeKey.stringKey("agentstream.conversation.root");
    public static final AttributeKey<Long> CONVERSATION_TURNS =
            AttributeKey.longKey("agentstream.conversation.turns");
    public static final AttributeKey<Long> QUOTA_ESTIMATE =
            AttributeKey.longKey("agentstream.quota.estimate_tokens");
    public static final AttributeKey<Long> QUOTA_WAITED =
            AttributeKey.longKey("agentstream.quota.waited_ms");
    public static final AttributeKey<String> QUOTA_RELEASED_BY =
            AttributeKey.stringKey("agentstream.quota.released_by");
    public static final AttributeKey<String> QUOTA_LIMIT =
            AttributeKey.stringKey("agentstream.quota.limit");

    /** Outcomes of a turn in a limiting stage. */
    public static final String ADMITTED = "admitted";

    public static final String REJECTED = "rejected";

    private SpanAttributes() {}

    /** Who and where, leaving out what is not known (null or empty). */
    static Attributes of(String tenant, String thread, String agent, String envelopeId) {
        AttributesBuilder b = Attributes.builder();
        put(b, TENANT, tenant);
        put(b, CONVERSATION, thread);
        put(b, AGENT, agent);
        put(b, ENVELOPE_ID, envelopeId);
        return b.build();
    }

    static void put(AttributesBuilder b, AttributeKey<String> key, String value) {
        if (value != null && !value.isEmpty()) {
            b.put(key, value);
        }
    }
}
