package dev.agentstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the operator's admission webhook refuses in a FlinkDeployment and a FlinkStateSnapshot
 * although the CRD schema lets it pass (it cannot see inside {@code flinkConfiguration}), as of
 * operator 1.15, plus a few rules of ours marked as such. Each rule returns a sentence naming what
 * is wrong.
 */
final class AdmissionRules {

    /** Lower case DNS-1123 label of at most 45 characters, the operator's limit for a name. */
    static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,43}[a-z0-9])?");

    static final String CHECKPOINT_DIR = "execution.checkpointing.dir";
    static final String SAVEPOINT_DIR = "execution.checkpointing.savepoint-dir";
    static final String CHECKPOINT_INTERVAL = "execution.checkpointing.interval";
    static final String MAX_PARALLELISM = "pipeline.max-parallelism";

    /** Flink 2.2 still reads the deprecated names of the two directories. */
    private static final Map<String, String> DEPRECATED =
            Map.of(
                    CHECKPOINT_DIR, "state.checkpoints.dir",
                    SAVEPOINT_DIR, "state.savepoints.dir");

    private static final Set<String> FORBIDDEN =
            Set.of("kubernetes.namespace", "kubernetes.cluster-id", "high-availability.cluster-id");

    private AdmissionRules() {}

    static List<String> deployment(JsonNode deployment) {
        List<String> problems = new ArrayList<>();
        JsonNode spec = deployment.path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        JsonNode job = spec.path("job");
        String name = deployment.path("metadata").path("name").asText();

        if (!NAME.matcher(name).matches()) {
            problems.add("metadata.name '" + name + "' is no lower case DNS-1123 name of <= 45");
        }
        if (!spec.hasNonNull("flinkVersion")) {
            problems.add("spec.flinkVersion is missing");
        }
        if (!spec.hasNonNull("serviceAccount")) {
            problems.add("spec.serviceAccount is missing");
        }
        if (!spec.hasNonNull("image")) {
            problems.add("spec.image is missing (ours: no default image for the job)");
        }
        conf.properties()
                .forEach(
                        e -> {
                            if (!e.getValue().isTextual()) {
                                problems.add(
                                        "flinkConfiguration."
                                                + e.getKey()
                                                + " is not a string (ours: flat string values)");
                            }
                            if (FORBIDDEN.contains(e.getKey())) {
                                problems.add("flinkConfiguration." + e.getKey() + " is forbidden");
                            }
                        });

        String upgradeMode = job.path("upgradeMode").asText("stateless");
        boolean ha = !conf.path("high-availability.type").asText("none").equalsIgnoreCase("none");
        if (!upgradeMode.equals("stateless") && setting(conf, CHECKPOINT_DIR).isEmpty()) {
            problems.add("upgradeMode " + upgradeMode + " needs " + CHECKPOINT_DIR);
        }
        if (upgradeMode.equals("savepoint") && setting(conf, SAVEPOINT_DIR).isEmpty()) {
            problems.add("upgradeMode savepoint needs " + SAVEPOINT_DIR);
        }
        if (conf.hasNonNull("kubernetes.operator.periodic.savepoint.interval")
                && setting(conf, SAVEPOINT_DIR).isEmpty()) {
            problems.add("periodic savepoints need " + SAVEPOINT_DIR);
        }
        if (conf.path("kubernetes.operator.deployment.rollback.enabled").asBoolean() && !ha) {
            problems.add("rollbacks need high availability");
        }
        if (upgradeMode.equals("last-state") && !ha) {
            problems.add("upgradeMode last-state needs high availability (ours)");
        }
        if (spec.path("jobManager").path("replicas").asInt(1) > 1 && !ha) {
            problems.add("standby JobManagers need high availability");
        }
        if (ha && !conf.hasNonNull("high-availability.storageDir")) {
            problems.add("high availability needs high-availability.storageDir");
        }
        for (String component : List.of("jobManager", "taskManager")) {
            if (spec.path(component).path("resource").path("memory").asText().isBlank()) {
                problems.add("spec." + component + ".resource.memory is missing");
            }
        }

        problems.addAll(jarUri(job.path("jarURI").asText("")));
        List<String> args = new ArrayList<>();
        job.path("args").forEach(arg -> args.add(arg.asText()));
        if (JobOptions.value(args, "organism.path").isEmpty()) {
            problems.add("job.args lack --organism.path, which the job requires");
        }
        if (job.path("parallelism").asInt(0) < 1) {
            problems.add("job.parallelism must be at least 1");
        }
        problems.addAll(parallelism(conf, job));

        if (conf.path("job.autoscaler.enabled").asBoolean()
                && !conf.path("jobmanager.scheduler").asText().equals("adaptive")) {
            problems.add(
                    "the autoscaler rescales in place only with jobmanager.scheduler adaptive (ours)");
        }
        if (conf.has(CHECKPOINT_INTERVAL)) {
            problems.add(
                    CHECKPOINT_INTERVAL
                            + " in flinkConfiguration is overridden by the job's own default:"
                            + " pass it in job.args (ours)");
        }
        if (JobOptions.value(args, CHECKPOINT_INTERVAL).isEmpty()) {
            problems.add("job.args lack --" + CHECKPOINT_INTERVAL + " (ours)");
        }
        return problems;
    }

    static List<String> snapshot(JsonNode snapshot, Set<String> deployments) {
        List<String> problems = new ArrayList<>();
        JsonNode spec = snapshot.path("spec");
        String name = snapshot.path("metadata").path("name").asText();
        if (!NAME.matcher(name).matches()) {
            problems.add("metadata.name '" + name + "' is no lower case DNS-1123 name of <= 45");
        }
        if (spec.has("savepoint") == spec.has("checkpoint")) {
            problems.add("exactly one of spec.savepoint and spec.checkpoint must be set");
        }
        if (spec.path("savepoint").path("alreadyExists").asBoolean()) {
            return problems;
        }
        JsonNode reference = spec.path("jobReference");
        if (!reference.path("kind").asText().equals("FlinkDeployment")) {
            problems.add("spec.jobReference.kind must be FlinkDeployment here");
        }
        if (!deployments.contains(reference.path("name").asText())) {
            problems.add("spec.jobReference.name names no FlinkDeployment of deploy/flink-k8s");
        }
        return problems;
    }

    /** A directory option under its Flink 2.2 key or its deprecated one. */
    static Optional<String> setting(JsonNode conf, String key) {
        for (String k : List.of(key, DEPRECATED.getOrDefault(key, key))) {
            String value = conf.path(k).asText("");
            if (!value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static List<String> jarUri(String jarUri) {
        try {
            if (new URI(jarUri).getScheme() == null) {
                return List.of("job.jarURI '" + jarUri + "' has no scheme");
            }
            return List.of();
        } catch (URISyntaxException e) {
            return List.of("job.jarURI '" + jarUri + "' is no URI: " + e.getMessage());
        }
    }

    private static List<String> parallelism(JsonNode conf, JsonNode job) {
        String max = conf.path(MAX_PARALLELISM).asText("");
        if (!max.matches("[1-9][0-9]*")) {
            return List.of(
                    MAX_PARALLELISM + " must be pinned: it fixes the key groups of all state");
        }
        int maxParallelism = Integer.parseInt(max);
        List<String> problems = new ArrayList<>();
        if (job.path("parallelism").asInt(0) > maxParallelism) {
            problems.add("job.parallelism exceeds " + MAX_PARALLELISM);
        }
        String vertexMax = conf.path("job.autoscaler.vertex.max-parallelism").asText("");
        if (!vertexMax.isEmpty() && Integer.parseInt(vertexMax) > maxParallelism) {
            problems.add("job.autoscaler.vertex.max-parallelism exceeds " + MAX_PARALLELISM);
        }
        return problems;
    }
}
