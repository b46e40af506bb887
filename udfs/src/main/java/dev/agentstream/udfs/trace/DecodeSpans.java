package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.Clock;

/**
 * The spans of the decode stage: one {@code decode} span per bus record, a child of the context in
 * the envelope's {@code <traceparent>} meta extension (see {@link TraceXml}), or, for an envelope
 * without one, of a new trace's root span {@code envelope}. Which parent it has is known only once
 * the record is read, so both spans are made at the end, begun when the record came. A decoded
 * envelope leaves carrying its decode span ({@link Envelope#traceparent}).
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class DecodeSpans implements AutoCloseable {

    private final Tracing tracing;
    private final TraceXml xml;
    private long startedAt = -1;

    private DecodeSpans(Tracing tracing, EnvelopeLimits limits) {
        this.tracing = tracing;
        this.xml = tracing.enabled() ? new TraceXml(limits) : null;
    }

    public static DecodeSpans open(RuntimeContext context, EnvelopeLimits limits) {
        return new DecodeSpans(Tracing.open(context), limits);
    }

    public static DecodeSpans open(TracingSettings settings, EnvelopeLimits limits) {
        return new DecodeSpans(Tracing.open(settings), limits);
    }

    /** A record came. */
    public void begin() {
        if (tracing.enabled()) {
            startedAt = Clock.getDefault().now();
        }
    }

    /** The record was decoded into {@code e}, which from now on carries its decode span. */
    public void decoded(Envelope e) {
        if (!tracing.enabled()) {
            return;
        }
        Attributes who = SpanAttributes.of(e.tenant, e.thread, null, e.envelopeId);
        String parent = xml.read(e.metaExtensions).orElse("");
        try (StageSpan root = rootUnless(parent, who)) {
            String under = root == null ? parent : root.traceparent();
            SpanKind kind = root == null ? SpanKind.CONSUMER : SpanKind.INTERNAL;
            try (StageSpan decode = tracing.start(SpanAttributes.DECODE, kind, under, who, at())) {
                e.traceparent = decode.traceparent();
            }
        }
    }

    /** The record became a dead letter: a trace of its own, its decode span failed. */
    public void rejected(String reason, String coordinates, String thread, String tenant) {
        if (!tracing.enabled()) {
            return;
        }
        Attributes who = SpanAttributes.of(tenant, thread, null, coordinates);
        try (StageSpan root = rootUnless("", who);
                StageSpan decode =
                        tracing.start(
                                SpanAttributes.DECODE,
                                SpanKind.INTERNAL,
                                root.traceparent(),
                                who,
                                at())) {
            decode.set(SpanAttributes.DEAD_LETTER, reason);
            decode.fail("dead-letter");
        }
    }

    /** The root span of a new trace, unless {@code parent} names a context to join. */
    private StageSpan rootUnless(String parent, Attributes who) {
        if (Traceparent.parse(parent).isValid()) {
            return null;
        }
        return tracing.start(SpanAttributes.ENVELOPE, SpanKind.CONSUMER, "", who, at());
    }

    private long at() {
        return startedAt >= 0 ? startedAt : Clock.getDefault().now();
    }

    @Override
    public void close() {
        tracing.close();
    }
}
