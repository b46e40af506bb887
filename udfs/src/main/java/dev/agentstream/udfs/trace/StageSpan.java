package dev.agentstream.udfs.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One span of a stage, ended once, by whichever path gets there first ({@link #close} may be called
 * from any thread, any number of times). With tracing off it is {@link #NONE}: it records nothing
 * and carries no context.
 */
public final class StageSpan implements AutoCloseable {

    /** The span of a stage that does not trace. */
    public static final StageSpan NONE = new StageSpan(Span.getInvalid());

    private final Span span;
    private final AtomicBoolean ended = new AtomicBoolean();

    StageSpan(Span span) {
        this.span = span;
    }

    /** The context this span's children take, as a traceparent; empty when it has none. */
    public String traceparent() {
        return Traceparent.of(span.getSpanContext());
    }

    /** True while the span records (tracing on, the trace sampled, not ended yet). */
    public boolean isRecording() {
        return span.isRecording();
    }

    public <T> StageSpan set(AttributeKey<T> key, T value) {
        if (value != null && span.isRecording()) {
            span.setAttribute(key, value);
        }
        return this;
    }

    /** Something that happened during the span, by name only. */
    public void event(String name) {
        if (span.isRecording()) {
            span.addEvent(name);
        }
    }

    /** Something that happened at {@code epochMillis} (e.g. a processing time held in state). */
    public void event(String name, long epochMillis) {
        if (span.isRecording()) {
            span.addEvent(name, epochMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Marks the span failed, with a short class of the error (never a message). */
    public void fail(String errorType) {
        if (span.isRecording()) {
            span.setAttribute(SpanAttributes.ERROR_TYPE, errorType);
            span.setStatus(StatusCode.ERROR);
        }
    }

    /** Ends the span at {@code epochMillis} unless it has ended already. */
    public void closeAt(long epochMillis) {
        if (ended.compareAndSet(false, true)) {
            span.end(epochMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Ends the span unless it has ended already. */
    @Override
    public void close() {
        if (ended.compareAndSet(false, true)) {
            span.end();
        }
    }
}
