package dev.agentstream.udfs.router;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The router's metrics in a Flink metric group, one {@code backend} group per backend: {@code
 * llmAttempts}, {@code llmErrors} per {@code error} class, {@code llmLatencyMs} (a histogram of the
 * last 500 attempts), {@code breakerState} (0 closed, 1 open, 2 half open, 3 other) and {@code
 * llmInFlight}.
 */
final class FlinkRouterMetrics implements RouterMetrics {

    private static final int LATENCY_WINDOW = 500;

    private final MetricGroup root;
    private final Map<String, Backend> backends = new ConcurrentHashMap<>();

    FlinkRouterMetrics(MetricGroup root) {
        this.root = root;
    }

    /** Registers {@code name}'s metrics and its gauges: breaker state and calls in flight. */
    void register(String name, CircuitBreaker breaker, IntSupplier inFlight) {
        MetricGroup group = root.addGroup("backend", name);
        group.gauge("breakerState", () -> breakerState(breaker.getState()));
        group.gauge("llmInFlight", inFlight::getAsInt);
        backends.put(name, new Backend(group));
    }

    @Override
    public void succeeded(String backend, long nanos) {
        Backend b = backends.get(backend);
        if (b != null) {
            b.attempts.inc();
            b.latency.update(nanos / 1_000_000);
        }
    }

    @Override
    public void failed(String backend, ErrorClass kind, long nanos) {
        Backend b = backends.get(backend);
        if (b != null) {
            b.attempts.inc();
            b.latency.update(nanos / 1_000_000);
            b.errors.get(kind).inc();
        }
    }

    private static int breakerState(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 3;
        };
    }

    /** One backend's counters and histogram. */
    private static final class Backend {
        final Counter attempts;
        final Histogram latency;
        final Map<ErrorClass, Counter> errors = new EnumMap<>(ErrorClass.class);

        Backend(MetricGroup group) {
            attempts = group.counter("llmAttempts");
            latency =
                    group.histogram(
                            "llmLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
            for (ErrorClass kind : ErrorClass.values()) {
                errors.put(kind, group.addGroup("error", kind.metricName()).counter("llmErrors"));
            }
        }
    }
}
