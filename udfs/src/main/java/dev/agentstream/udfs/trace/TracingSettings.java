package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether the job traces, where the spans go (an OTLP gRPC endpoint) and what share of the traces
 * is kept. The job puts them in its global job parameters ({@link #install}), where every task
 * finds them when it opens: no stage's constructor carries them.
 *
 * @param enabled false: no SDK, no spans, no traceparent written
 * @param otlpEndpoint the collector's OTLP gRPC endpoint, e.g. {@code http://127.0.0.1:4317}
 * @param sampleRatio the share of traces kept, decided from the trace id, in [0, 1]
 */
public record TracingSettings(boolean enabled, String otlpEndpoint, double sampleRatio)
        implements Serializable {

    public static final String ENABLED = "tracing.enabled";
    public static final String OTLP_ENDPOINT = "tracing.otlp-endpoint";
    public static final String SAMPLE_RATIO = "tracing.sample-ratio";
    public static final String DEFAULT_OTLP_ENDPOINT = "http://127.0.0.1:4317";

    private static final long serialVersionUID = 1L;

    public TracingSettings {
        Preconditions.checkArgument(
                sampleRatio >= 0 && sampleRatio <= 1,
                "%s must be in [0, 1]: %s",
                SAMPLE_RATIO,
                sampleRatio);
        if (enabled) {
            Preconditions.checkArgument(
                    isHttpUrl(otlpEndpoint),
                    "%s must be an http or https URL: %s",
                    OTLP_ENDPOINT,
                    otlpEndpoint);
        }
    }

    /** Tracing off. */
    public static TracingSettings disabled() {
        return new TracingSettings(false, DEFAULT_OTLP_ENDPOINT, 1.0);
    }

    /** The settings a job put in its global job parameters; off when it put none. */
    public static TracingSettings fromParameters(Map<String, String> parameters) {
        if (parameters == null || !Boolean.parseBoolean(parameters.get(ENABLED))) {
            return disabled();
        }
        return new TracingSettings(
                true,
                parameters.getOrDefault(OTLP_ENDPOINT, DEFAULT_OTLP_ENDPOINT),
                Double.parseDouble(parameters.getOrDefault(SAMPLE_RATIO, "1.0")));
    }

    /** These settings as global job parameters. */
    public Map<String, String> toParameters() {
        Map<String, String> parameters = new HashMap<>();
        parameters.put(ENABLED, Boolean.toString(enabled));
        parameters.put(OTLP_ENDPOINT, otlpEndpoint);
        parameters.put(SAMPLE_RATIO, Double.toString(sampleRatio));
        return parameters;
    }

    /** Adds these settings to the job's global job parameters, keeping any others there. */
    public void install(ExecutionConfig config) {
        Map<String, String> merged = new HashMap<>(config.getGlobalJobParameters().toMap());
        merged.putAll(toParameters());
        config.setGlobalJobParameters(Configuration.fromMap(merged));
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }
}
