package dev.agentstream.udfs.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK's in-memory exporter in place of OTLP for one test, with settings of its own (a fresh
 * SDK, whatever other tests left open), and readers of what it caught.
 */
final class TraceTesting implements AutoCloseable {

    private static final AtomicInteger RUNS = new AtomicInteger();

    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final TracingSettings settings;

    TraceTesting() {
        this(1.0);
    }

    TraceTesting(double sampleRatio) {
        settings =
                new TracingSettings(
                        true, "http://127.0.0.1:4317/test-" + RUNS.incrementAndGet(), sampleRatio);
        TraceSdk.exportForTests(exporter);
    }

    /** The settings as a job's global job parameters. */
    Map<String, String> parameters() {
        return settings.toParameters();
    }

    List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    List<SpanData> named(String name) {
        return spans().stream().filter(s -> s.getName().equals(name)).toList();
    }

    SpanData only(String name) {
        List<SpanData> found = named(name);
        assertThat(found).as("spans named %s", name).hasSize(1);
        return found.get(0);
    }

    static String attribute(SpanData span, AttributeKey<String> key) {
        return span.getAttributes().get(key);
    }

    @Override
    public void close() {
        TraceSdk.exportForTests(null);
    }
}
