package dev.agentstream.savepoints;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.util.EnvironmentInformation;

import dev.agentstream.devtools.state.SavepointInspector;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.udfs.envelope.Envelope;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.agentstream.savepoints.Script.ACME;
import static dev.agentstream.savepoints.Script.BUDGET;
import static dev.agentstream.savepoints.Script.CALLER;
import static dev.agentstream.savepoints.Script.CONTEXT;
import static dev.agentstream.savepoints.Script.GLOBEX;
import static dev.agentstream.savepoints.Script.OTHER_TENANT;
import static dev.agentstream.savepoints.Script.SUBTHREAD;
import static dev.agentstream.savepoints.Script.WAITING;
import static dev.agentstream.savepoints.Script.thread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Takes the savepoint of the current release into a release folder, with its manifest. Not a test:
 * the {@code savepoint-generate} profile runs it (see docs/savepoints.md), and without {@code
 * -Dsavepoint.release} it does nothing.
 *
 * <p>It runs {@link Script} against the job: conversations of two tenants that leave context, a
 * registry link whose callee never answers, a turn whose LLM call is still in flight (the simulator
 * is made to take an hour) and a second input waiting for that busy agent; then it stops the job
 * with a canonical savepoint, checks with the state tool that the savepoint holds what the script
 * left, and writes the manifest.
 */
class GenerateSavepoint extends ServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static final Manifest.Topics TOPICS =
            new Manifest.Topics(
                    "sp.bus.{tenant}",
                    "sp.bus-fallback",
                    "sp.usage",
                    "sp.dead-letters",
                    2,
                    "savepoint-job");

    @Test
    void generate() throws Exception {
        String release = System.getProperty("savepoint.release", "");
        assumeTrue(!release.isBlank(), "no -Dsavepoint.release: nothing to generate");
        Path dir = prepare(Releases.release(release));
        createTopics(TOPICS, List.of(ACME, GLOBEX));

        JobClient job = ReleaseJob.start(configuration(dir), PARALLELISM);
        List<Envelope> outputs = runScript();
        String subthread = subthreadOf(outputs);
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                tmp.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        simulator.setLatency(Duration.ZERO);

        Path target = dir.resolve(Releases.SAVEPOINT);
        copy(Path.of(URI.create(savepoint)), target);
        Manifest manifest = manifest(release, subthread, bus.committed(TOPICS.groupId()));
        // The savepoint holds what the script left, or the manifest would say what is not there.
        SavepointExpectations.assertHolds(SavepointInspector.read(target), manifest);
        manifest.write(dir);
    }

    private static Configuration configuration(Path dir) {
        Configuration extra = new Configuration();
        // No turn is released by its timer, ever: the waiting turn waits for its answer.
        extra.set(AgentStreamOptions.CONTEXT_TURN_RELEASE, Duration.ofDays(36500));
        // The call in flight outlives the savepoint.
        extra.set(AgentStreamOptions.LLM_TIMEOUT, Duration.ofMinutes(30));
        // Every state in a file of its own, named relative to the savepoint: nothing inlined
        // in _metadata under the name of a path on this machine.
        extra.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.ZERO);
        return ReleaseJob.configuration(
                dir, TOPICS, broker.bootstrapServers(), simulator.baseUrl(), extra);
    }

    /** Runs the script; returns the envelopes the agents wrote. */
    private static List<Envelope> runScript() throws Exception {
        String acme = TOPICS.bus(ACME);
        String globex = TOPICS.bus(GLOBEX);
        for (String draft : Script.CONTEXT_DRAFTS) {
            bus.send(acme, thread(CONTEXT), Envelopes.draft(thread(CONTEXT), draft));
        }
        bus.send(
                globex,
                thread(OTHER_TENANT),
                Envelopes.draft(thread(OTHER_TENANT), Script.OTHER_TENANT_DRAFT));
        bus.send(acme, thread(CALLER), Envelopes.question(thread(CALLER), Script.QUESTION));
        for (int i = 1; i <= Script.BUDGET_TURNS; i++) {
            bus.send(
                    acme, thread(BUDGET), Envelopes.draft(thread(BUDGET), Script.BUDGET_DRAFT + i));
        }
        // writer: 2 + 1 + 4 answers; desk: its call and the record of it.
        List<Envelope> outputs = fromAgents(acme, globex, 9);
        settle();

        simulator.setLatency(Duration.ofHours(1));
        int before = simulator.requestCount();
        bus.send(globex, thread(WAITING), Envelopes.draft(thread(WAITING), Script.IN_FLIGHT_DRAFT));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (simulator.requestCount() == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(simulator.requestCount()).as("the call in flight").isEqualTo(before + 1);
        bus.send(globex, thread(WAITING), Envelopes.draft(thread(WAITING), Script.WAITING_DRAFT));
        settle();
        return outputs;
    }

    private static List<Envelope> fromAgents(String acme, String globex, int count) {
        List<Envelope> out = new ArrayList<>();
        bus.readUntil(
                List.of(acme, globex),
                records -> {
                    out.clear();
                    records.stream()
                            .flatMap(r -> r.envelope().stream())
                            .filter(e -> List.of("writer", "desk").contains(e.from))
                            .forEach(out::add);
                    return out.size() >= count;
                },
                WAIT);
        assertThat(out).as("the agents' envelopes").hasSize(count);
        return out;
    }

    /**
     * Waits until a completed checkpoint covers every record on the bus (the source commits its
     * offsets when a checkpoint completes, and a checkpoint's barrier follows every record before
     * it through the whole graph), and nothing new came for two checkpoints.
     */
    private static void settle() throws Exception {
        List<String> topics = List.of(TOPICS.bus(ACME), TOPICS.bus(GLOBEX));
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Map<Integer, Long>> last = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, Map<Integer, Long>> ends = recordEnds(topics);
            Map<String, Map<Integer, Long>> committed = bus.committed(TOPICS.groupId());
            if (covers(committed, ends) && committed.equals(last)) {
                return;
            }
            last = committed;
            Thread.sleep(4 * ReleaseJob.CHECKPOINT_INTERVAL.toMillis());
        }
        throw new AssertionError("the job did not settle within " + WAIT);
    }

    /** Per topic and partition: the offset after its last committed record. */
    private static Map<String, Map<Integer, Long>> recordEnds(List<String> topics) {
        Map<String, Map<Integer, Long>> out = new TreeMap<>();
        for (var r : bus.readUntil(topics, records -> false, Duration.ofSeconds(1))) {
            out.computeIfAbsent(r.record().topic(), t -> new TreeMap<>())
                    .merge(r.record().partition(), r.record().offset() + 1, Math::max);
        }
        return out;
    }

    private static boolean covers(
            Map<String, Map<Integer, Long>> committed, Map<String, Map<Integer, Long>> ends) {
        for (var topic : ends.entrySet()) {
            for (var partition : topic.getValue().entrySet()) {
                long at =
                        committed
                                .getOrDefault(topic.getKey(), Map.of())
                                .getOrDefault(partition.getKey(), -1L);
                if (at < partition.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String subthreadOf(List<Envelope> outputs) {
        return outputs.stream()
                .filter(e -> "desk".equals(e.from) && "lookup".equals(e.to))
                .map(e -> e.thread)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the desk made no call"));
    }

    private static Manifest manifest(
            String release, String subthread, Map<String, Map<Integer, Long>> offsets) {
        List<String> context = List.of("Rembrandt", "Vermeer");
        return new Manifest(
                release,
                EnvironmentInformation.getVersion(),
                PARALLELISM,
                720,
                TOPICS,
                offsets,
                List.of(
                        new Manifest.ThreadEntry(ACME, thread(CONTEXT), CONTEXT, 4, 2, context),
                        new Manifest.ThreadEntry(
                                GLOBEX,
                                thread(OTHER_TENANT),
                                OTHER_TENANT,
                                2,
                                1,
                                List.of("Hokusai")),
                        new Manifest.ThreadEntry(
                                ACME, thread(CALLER), CALLER, 2, 1, List.of("Kilimanjaro")),
                        new Manifest.ThreadEntry(
                                ACME, subthread, SUBTHREAD, 1, 0, List.of("Kilimanjaro")),
                        new Manifest.ThreadEntry(
                                ACME,
                                thread(BUDGET),
                                BUDGET,
                                2 * Script.BUDGET_TURNS,
                                Script.BUDGET_TURNS,
                                List.of("Tolstoy")),
                        new Manifest.ThreadEntry(
                                GLOBEX, thread(WAITING), WAITING, 2, 1, List.of("Cassatt"))),
                List.of(new Manifest.Link(ACME, subthread, thread(CALLER), "desk", "lookup")),
                List.of(
                        new Manifest.Waiting(
                                GLOBEX, thread(WAITING), "writer", 1, List.of("Kahlo"))),
                List.of(new Manifest.InFlight(GLOBEX, thread(WAITING), "writer")),
                List.of(
                        new Manifest.Conversation(ACME, thread(CONTEXT), 2),
                        new Manifest.Conversation(GLOBEX, thread(OTHER_TENANT), 1),
                        new Manifest.Conversation(ACME, thread(CALLER), 1),
                        new Manifest.Conversation(ACME, thread(BUDGET), Script.BUDGET_TURNS),
                        new Manifest.Conversation(GLOBEX, thread(WAITING), 1)),
                null);
    }

    /**
     * The release folder, with the organism and registry key of the newest release if it has none.
     */
    private static Path prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : List.of(Releases.ORGANISM, Releases.REGISTRY_KEY)) {
            if (!Files.exists(dir.resolve(file))) {
                Optional<Path> newest =
                        Releases.all().stream()
                                .filter(r -> Files.exists(r.resolve(file)))
                                .reduce((a, b) -> b);
                assertThat(newest).as("a release to take %s from", file).isPresent();
                Files.copy(newest.get().resolve(file), dir.resolve(file));
            }
        }
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> old = Files.walk(to)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
