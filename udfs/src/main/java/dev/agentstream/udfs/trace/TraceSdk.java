package dev.agentstream.udfs.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The OpenTelemetry SDK of this JVM: one tracer provider per {@link TracingSettings}, shared by
 * every task that traces with them and shut down when the last of them closes. Spans leave in
 * batches on the SDK's own thread (a full queue drops spans, it never blocks a task); ids come from
 * the SDK's random generator; whether a trace is kept is decided from its trace id alone, so that
 * every hop of a trace decides alike whatever flag the envelope carried.
 */
public final class TraceSdk {

    private static final Logger LOG = LoggerFactory.getLogger(TraceSdk.class);

    static final String INSTRUMENTATION = "dev.agentstream";
    static final String SERVICE_NAME = "agentstream";

    private static final Map<TracingSettings, Shared> OPEN = new HashMap<>();
    private static SpanExporter testExporter;

    private static final class Shared {
        final SdkTracerProvider provider;
        final Tracer tracer;
        int users;

        Shared(SdkTracerProvider provider) {
            this.provider = provider;
            this.tracer = provider.get(INSTRUMENTATION);
        }
    }

    private TraceSdk() {}

    /**
     * Sends the spans of the SDKs opened from now on to {@code exporter}, each as it ends, instead
     * of OTLP; null sends them to OTLP again. For tests that run the job in their own JVM.
     */
    public static synchronized void exportForTests(SpanExporter exporter) {
        testExporter = exporter;
    }

    /** The shared tracer of {@code settings}; each call needs one {@link #release}. */
    static synchronized Tracer acquire(TracingSettings settings) {
        Shared shared = OPEN.computeIfAbsent(settings, s -> new Shared(provider(s)));
        shared.users++;
        return shared.tracer;
    }

    static synchronized void release(TracingSettings settings) {
        Shared shared = OPEN.get(settings);
        if (shared == null || --shared.users > 0) {
            return;
        }
        OPEN.remove(settings);
        // Not waited for: what is left in the batch is sent on the SDK's thread.
        shared.provider.shutdown();
    }

    private static SdkTracerProvider provider(TracingSettings settings) {
        Resource resource =
                Resource.getDefault()
                        .merge(
                                Resource.create(
                                        Attributes.of(
                                                AttributeKey.stringKey("service.name"),
                                                SERVICE_NAME)));
        SpanProcessor processor;
        if (testExporter != null) {
            processor = SimpleSpanProcessor.create(new KeptOpen(testExporter));
        } else {
            LOG.info(
                    "Tracing to {} (sample ratio {})",
                    settings.otlpEndpoint(),
                    settings.sampleRatio());
            processor =
                    BatchSpanProcessor.builder(
                                    OtlpGrpcSpanExporter.builder()
                                            .setEndpoint(settings.otlpEndpoint())
                                            .build())
                            .build();
        }
        return SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.traceIdRatioBased(settings.sampleRatio()))
                .addSpanProcessor(processor)
                .build();
    }

    /** A test's exporter, which outlives the SDKs that send to it. */
    private record KeptOpen(SpanExporter delegate) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return delegate.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
