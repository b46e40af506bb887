package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The spans of a stage a turn passes through on its way to the LLM call, such as the quota: one
 * span per turn, named after the stage, a child of the turn's thread-context span. The turn's own
 * context is left as it is, so the call's span is a sibling of this one.
 *
 * <p>Thread-safe.
 */
public final class TurnSpans implements AutoCloseable {

    private final Tracing tracing;
    private final String stage;

    private TurnSpans(Tracing tracing, String stage) {
        this.tracing = tracing;
        this.stage = stage;
    }

    /**
     * @param stage the spans' name, e.g. {@link SpanAttributes#QUOTA}
     */
    public static TurnSpans open(RuntimeContext context, String stage) {
        return new TurnSpans(Tracing.open(context), stage);
    }

    public static TurnSpans open(TracingSettings settings, String stage) {
        return new TurnSpans(Tracing.open(settings), stage);
    }

    /** The span of {@code turn} in this stage; close it when the turn leaves. */
    public StageSpan start(Turn turn) {
        return tracing.start(stage, SpanKind.INTERNAL, turn.traceparent, of(turn));
    }

    /** Who and where of a turn. */
    static Attributes of(Turn turn) {
        return SpanAttributes.of(turn.tenant, turn.thread, turn.agent, turn.inputEnvelopeId);
    }

    @Override
    public void close() {
        tracing.close();
    }
}
