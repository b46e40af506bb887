package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The spans of the thread-context stage: one {@code thread-context} span per envelope, a child of
 * its decode span. The envelope carries the new span from then on, so that everything the stage
 * derives from it joins the span: the turn it starts (through its context slot, so that a turn that
 * waited for its agent still joins the trace of its input), the {@code <huh>} it earns, the answer
 * it sends up to a caller.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class ContextSpans implements AutoCloseable {

    private final Tracing tracing;
    private StageSpan current = StageSpan.NONE;

    private ContextSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    public static ContextSpans open(RuntimeContext context) {
        return new ContextSpans(Tracing.open(context));
    }

    public static ContextSpans open(TracingSettings settings) {
        return new ContextSpans(Tracing.open(settings));
    }

    /** The span of {@code e}'s visit to its thread; close it when the visit ends. */
    public StageSpan start(Envelope e) {
        if (!tracing.enabled()) {
            return StageSpan.NONE;
        }
        current =
                tracing.start(
                        SpanAttributes.THREAD_CONTEXT,
                        SpanKind.INTERNAL,
                        e.traceparent,
                        SpanAttributes.of(e.tenant, e.thread, null, e.envelopeId));
        String traceparent = current.traceparent();
        if (!traceparent.isEmpty()) {
            e.traceparent = traceparent;
        }
        return current;
    }

    /** {@code turn} started during the current visit: its agent goes on the span. */
    public void turnStarted(Turn turn) {
        if (current.isRecording()) {
            current.set(SpanAttributes.AGENT, turn.agent);
            current.event("turn-start");
        }
    }

    @Override
    public void close() {
        tracing.close();
    }
}
