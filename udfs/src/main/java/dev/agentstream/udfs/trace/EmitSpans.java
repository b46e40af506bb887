package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.llm.TurnResult;
import io.opentelemetry.api.trace.SpanKind;

import java.util.List;

/**
 * The spans of the emit stage: one {@code emit} span per turn result, a child of the turn's {@code
 * llm-call} span (or, for a turn a limit rejected before any call, of its thread-context span).
 * Every envelope it writes carries the span, which the bus sink writes in its meta: the spans of
 * the next hop join the trace.
 *
 * <p>Thread-safe.
 */
public final class EmitSpans implements AutoCloseable {

    private final Tracing tracing;

    private EmitSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    public static EmitSpans open(RuntimeContext context) {
        return new EmitSpans(Tracing.open(context));
    }

    public static EmitSpans open(TracingSettings settings) {
        return new EmitSpans(Tracing.open(settings));
    }

    /** The span of the result's emission; close it when done. */
    public StageSpan start(TurnResult result) {
        String parent =
                result.traceparent == null || result.traceparent.isEmpty()
                        ? result.turn.traceparent
                        : result.traceparent;
        return tracing.start(
                        SpanAttributes.EMIT, SpanKind.PRODUCER, parent, TurnSpans.of(result.turn))
                .set(SpanAttributes.TURN_STATUS, result.status);
    }

    /** Gives each envelope the span as its trace context. */
    public static void stamp(StageSpan emit, List<Envelope> envelopes) {
        String traceparent = emit.traceparent();
        if (traceparent.isEmpty()) {
            return;
        }
        for (Envelope e : envelopes) {
            e.traceparent = traceparent;
        }
        emit.set(SpanAttributes.ENVELOPES, (long) envelopes.size());
    }

    @Override
    public void close() {
        tracing.close();
    }
}
