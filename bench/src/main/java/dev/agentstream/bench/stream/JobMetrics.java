package dev.agentstream.bench.stream;

import org.apache.flink.api.common.JobID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a running job's task metrics from the cluster's REST API: the same numbers the web UI shows
 * (busy, back-pressured and idle time per second), aggregated over each vertex's subtasks.
 */
final class JobMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The load of one vertex (a chain of operators) over its subtasks, per second of time. */
    record VertexLoad(String name, double busyMax, double backPressuredMax, double idleMin) {}

    private JobMetrics() {}

    /** True once the job's every vertex reports RUNNING. */
    static boolean allTasksRunning(URI rest, JobID job) throws IOException, InterruptedException {
        JsonNode vertices = get(rest, "/jobs/" + job).path("vertices");
        if (vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** The vertices' names by id, in the order the REST API lists them (sources first). */
    static Map<String, String> vertices(URI rest, JobID job)
            throws IOException, InterruptedException {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : get(rest, "/jobs/" + job).path("vertices")) {
            names.put(v.path("id").asText(), v.path("name").asText());
        }
        return names;
    }

    /** Each vertex's busy, back-pressured and idle milliseconds per second now. */
    static Map<String, VertexLoad> load(URI rest, JobID job)
            throws IOException, InterruptedException {
        Map<String, VertexLoad> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : vertices(rest, job).entrySet()) {
            JsonNode metrics =
                    get(
                            rest,
                            "/jobs/"
                                    + job
                                    + "/vertices/"
                                    + v.getKey()
                                    + "/subtasks/metrics?get=busyTimeMsPerSecond,"
                                    + "backPressuredTimeMsPerSecond,idleTimeMsPerSecond");
            out.put(
                    v.getValue(),
                    new VertexLoad(
                            v.getValue(),
                            value(metrics, "busyTimeMsPerSecond", "max"),
                            value(metrics, "backPressuredTimeMsPerSecond", "max"),
                            value(metrics, "idleTimeMsPerSecond", "min")));
        }
        return out;
    }

    private static double value(JsonNode metrics, String id, String field) {
        for (JsonNode m : metrics) {
            if (id.equals(m.path("id").asText()) && m.has(field)) {
                return m.path(field).asDouble();
            }
        }
        return Double.NaN;
    }

    private static JsonNode get(URI rest, String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
