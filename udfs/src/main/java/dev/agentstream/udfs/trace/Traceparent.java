package dev.agentstream.udfs.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The W3C trace context as the one string that travels between stages and envelopes, e.g. {@code
 * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}; read and written by OpenTelemetry's W3C
 * propagator. An empty string is no context.
 */
public final class Traceparent {

    static final String HEADER = "traceparent";

    /** What the job writes: version 00, lowercase hex ids and flags. */
    private static final Pattern WRITTEN =
            Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private static final TextMapGetter<String> GETTER =
            new TextMapGetter<>() {
                @Override
                public Iterable<String> keys(String carrier) {
                    return List.of(HEADER);
                }

                @Override
                public String get(String carrier, String key) {
                    return HEADER.equals(key) ? carrier : null;
                }
            };

    private Traceparent() {}

    /** The remote context {@code traceparent} names; the invalid context when it names none. */
    public static SpanContext parse(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return SpanContext.getInvalid();
        }
        Context extracted =
                W3CTraceContextPropagator.getInstance()
                        .extract(Context.root(), traceparent, GETTER);
        return Span.fromContext(extracted).getSpanContext();
    }

    /** The traceparent of {@code context}; empty for an invalid one. */
    public static String of(SpanContext context) {
        if (!context.isValid()) {
            return "";
        }
        String[] written = {""};
        W3CTraceContextPropagator.getInstance()
                .inject(
                        Context.root().with(Span.wrap(context)),
                        written,
                        (carrier, key, value) -> {
                            if (HEADER.equals(key)) {
                                carrier[0] = value;
                            }
                        });
        return written[0];
    }

    /** True for a traceparent in the form the job writes itself. */
    static boolean isWritable(String traceparent) {
        return traceparent != null && WRITTEN.matcher(traceparent).matches();
    }
}
