package dev.agentstream.udfs.trace;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's spans leave over OTLP gRPC, the SDK's exporter as the job configures it, to a receiver
 * of the collector's trace service on loopback (what Jaeger and the OpenTelemetry Collector listen
 * with on port 4317), which decodes them from the wire.
 */
class OtlpExportTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_ID = "b7ad6b7169203331";
    private static final String UPSTREAM = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();

    private final BlockingQueue<ExportTraceServiceRequest> received = new LinkedBlockingQueue<>();
    private Server collector;

    @BeforeEach
    void startCollector() throws IOException {
        TraceSdk.exportForTests(null);
        collector =
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(new Receiver(received))
                        .build()
                        .start();
    }

    @AfterEach
    void stopCollector() throws InterruptedException {
        collector.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldDeliverADecodeSpanWithItsParentAndAttributesToTheCollector() throws Exception {
        TracingSettings settings =
                new TracingSettings(true, "http://127.0.0.1:" + collector.getPort(), 1.0);

        // Closing the last user of the settings shuts the SDK down, which flushes its batch.
        try (DecodeSpans spans = DecodeSpans.open(settings, LIMITS)) {
            spans.begin();
            spans.decoded(envelopeUnder(UPSTREAM));
        }

        List<ResourceSpans> batches = new ArrayList<>();
        ExportTraceServiceRequest first = received.poll(20, TimeUnit.SECONDS);
        assertThat(first).as("an export request within 20 s").isNotNull();
        batches.addAll(first.getResourceSpansList());
        received.forEach(r -> batches.addAll(r.getResourceSpansList()));

        ResourceSpans resourceSpans = batches.get(0);
        assertThat(string(resourceSpans.getResource(), "service.name")).isEqualTo("agentstream");
        ScopeSpans scope = resourceSpans.getScopeSpans(0);
        assertThat(scope.getScope().getName()).isEqualTo(TraceSdk.INSTRUMENTATION);
        Span decode = scope.getSpans(0);
        assertThat(decode.getName()).isEqualTo(SpanAttributes.DECODE);
        assertThat(hex(decode.getTraceId().toByteArray())).isEqualTo(TRACE_ID);
        assertThat(hex(decode.getParentSpanId().toByteArray())).isEqualTo(PARENT_ID);
        assertThat(decode.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
        assertThat(decode.getEndTimeUnixNano())
                .isGreaterThanOrEqualTo(decode.getStartTimeUnixNano());
        assertThat(attribute(decode.getAttributesList(), SpanAttributes.CONVERSATION.getKey()))
                .isEqualTo(Fixtures.THREAD_A);
        assertThat(batches.stream().mapToInt(b -> b.getScopeSpans(0).getSpansCount()).sum())
                .as("one record, one span")
                .isEqualTo(1);
    }

    private static Envelope envelopeUnder(String traceparent) throws Exception {
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", "x");
        e.metaExtensions = TraceXml.extension(traceparent);
        EnvelopeCodec codec = new EnvelopeCodec(LIMITS);
        return codec.decode(codec.encode(e));
    }

    private static String string(Resource resource, String key) {
        return attribute(resource.getAttributesList(), key);
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        return attributes.stream()
                .filter(kv -> kv.getKey().equals(key))
                .map(kv -> kv.getValue().getStringValue())
                .findFirst()
                .orElse(null);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The collector's trace service: keeps each request, answers that all was accepted. */
    private static final class Receiver extends TraceServiceGrpc.TraceServiceImplBase {

        private final BlockingQueue<ExportTraceServiceRequest> received;

        Receiver(BlockingQueue<ExportTraceServiceRequest> received) {
            this.received = received;
        }

        @Override
        public void export(
                ExportTraceServiceRequest request,
                StreamObserver<ExportTraceServiceResponse> response) {
            received.add(request);
            response.onNext(ExportTraceServiceResponse.getDefaultInstance());
            response.onCompleted();
        }
    }
}
