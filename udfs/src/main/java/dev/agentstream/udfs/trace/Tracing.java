package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.RuntimeContext;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task's tracer: the JVM's shared SDK for the job's {@link TracingSettings} (see {@link
 * TraceSdk}), or nothing at all when tracing is off. Opened in a function's {@code open()}, closed
 * in its {@code close()}. A span's parent is always given explicitly, as the traceparent the
 * element carries: stages run on different threads and operators, so no context is ever taken from
 * the thread.
 */
public final class Tracing implements AutoCloseable {

    private final TracingSettings settings;
    private final Tracer tracer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Tracing(TracingSettings settings, Tracer tracer) {
        this.settings = settings;
        this.tracer = tracer;
    }

    /** The tracing of the job this task runs in, from its global job parameters. */
    public static Tracing open(RuntimeContext context) {
        return open(TracingSettings.fromParameters(context.getGlobalJobParameters()));
    }

    public static Tracing open(TracingSettings settings) {
        return settings.enabled()
                ? new Tracing(settings, TraceSdk.acquire(settings))
                : new Tracing(settings, null);
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * A span that starts now, as a child of the context {@code parent} names, or of none (a new
     * trace) when it names none.
     */
    StageSpan start(String name, SpanKind kind, String parent, Attributes attributes) {
        return start(name, kind, parent, attributes, -1);
    }

    /** As {@link #start}, begun at {@code startEpochNanos} (now when negative). */
    StageSpan start(
            String name,
            SpanKind kind,
            String parent,
            Attributes attributes,
            long startEpochNanos) {
        if (tracer == null) {
            return StageSpan.NONE;
        }
        SpanBuilder builder =
                tracer.spanBuilder(name).setSpanKind(kind).setAllAttributes(attributes);
        SpanContext remote = Traceparent.parse(parent);
        if (remote.isValid()) {
            builder.setParent(Context.root().with(Span.wrap(remote)));
        } else {
            builder.setNoParent();
        }
        if (startEpochNanos >= 0) {
            builder.setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS);
        }
        return new StageSpan(builder.startSpan());
    }

    @Override
    public void close() {
        if (tracer != null && closed.compareAndSet(false, true)) {
            TraceSdk.release(settings);
        }
    }
}
