package dev.agentstream.savepoints;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

import dev.agentstream.devtools.state.SavepointContents;
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
import static dev.agentstream.savepoints.Script.INITECH;
import static dev.agentstream.savepoints.Script.OTHER_TENANT;
import static dev.agentstream.savepoints.Script.QUOTA_RESERVED;
import static dev.agentstream.savepoints.Script.QUOTA_USED;
import static dev.agentstream.savepoints.Script.QUOTA_WAITING;
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
 * is made to take an hour) and a second input waiting for that busy agent; and for a third tenant
 * with quota limits, a reservation settled by its usage, one whose call is in flight and a turn
 * over the rate waiting for the quota's timer. Then it stops the job with a canonical savepoint,
 * checks with the state tool that the savepoint holds what the script left, and writes the manifest
 * ({@link ScriptManifest}).
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

    static final List<String> TENANTS = List.of(ACME, GLOBEX, INITECH);

    /** The consumer group of the quota's usage source: the option's default. */
    static final String QUOTA_GROUP = AgentStreamOptions.QUOTA_GROUP_ID.defaultValue();

    @Test
    void generate() throws Exception {
        String release = System.getProperty("savepoint.release", "");
        assumeTrue(!release.isBlank(), "no -Dsavepoint.release: nothing to generate");
        Path dir = prepare(Releases.release(release));
        createTopics(TOPICS, TENANTS);

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
        SavepointContents contents = SavepointInspector.read(target);
        Manifest manifest =
                ScriptManifest.of(
                        release,
                        subthread,
                        bus.committed(TOPICS.groupId()),
                        bus.committed(QUOTA_GROUP),
                        contents);
        // The savepoint holds what the script left, or the manifest would say what is not there.
        SavepointExpectations.assertHolds(contents, manifest);
        manifest.write(dir);
    }

    private static Configuration configuration(Path dir) {
        Configuration extra = new Configuration();
        // No turn is released by its timer, ever: the waiting turn waits for its answer.
        extra.set(AgentStreamOptions.CONTEXT_TURN_RELEASE, Duration.ofDays(36500));
        // The call in flight outlives the savepoint.
        extra.set(AgentStreamOptions.LLM_TIMEOUT, Duration.ofMinutes(30));
        // The turn over quota waits longer than the script takes: it waits in the savepoint.
        extra.addAll(
                ReleaseJob.quota(
                        dir,
                        Script.QUOTA_WINDOW,
                        Script.QUOTA_BUDGET_PERIOD,
                        AgentStreamOptions.QUOTA_RESERVATION_TTL.defaultValue(),
                        Duration.ofHours(1)));
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
        String initech = TOPICS.bus(INITECH);
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
        bus.send(
                initech,
                thread(QUOTA_USED),
                Envelopes.draft(thread(QUOTA_USED), Script.QUOTA_USED_DRAFT));
        // writer: 2 + 1 + 4 + 1 answers; desk: its call and the record of it.
        List<Envelope> outputs = fromAgents(10);
        // The long draft's usage has settled its reservation: the next draft fits the window.
        settle();

        simulator.setLatency(Duration.ofHours(1));
        int before = simulator.requestCount();
        bus.send(globex, thread(WAITING), Envelopes.draft(thread(WAITING), Script.IN_FLIGHT_DRAFT));
        bus.send(
                initech,
                thread(QUOTA_RESERVED),
                Envelopes.draft(thread(QUOTA_RESERVED), Script.QUOTA_RESERVED_DRAFT));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (simulator.requestCount() < before + 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(simulator.requestCount()).as("the calls in flight").isEqualTo(before + 2);
        bus.send(globex, thread(WAITING), Envelopes.draft(thread(WAITING), Script.WAITING_DRAFT));
        // Over initech's rate with the call in flight reserved: it waits for the quota's timer.
        bus.send(
                initech,
                thread(QUOTA_WAITING),
                Envelopes.draft(thread(QUOTA_WAITING), Script.QUOTA_WAITING_DRAFT));
        settle();
        assertThat(simulator.requestCount())
                .as("no call for the waiting turns")
                .isEqualTo(before + 2);
        return outputs;
    }

    private static List<Envelope> fromAgents(int count) {
        List<Envelope> out = new ArrayList<>();
        bus.readUntil(
                busTopics(),
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

    private static List<String> busTopics() {
        return TENANTS.stream().map(TOPICS::bus).toList();
    }

    /**
     * Waits until a completed checkpoint covers every record on the bus and on the usage topic (a
     * source commits its offsets when a checkpoint completes, and a checkpoint's barrier follows
     * every record before it through the whole graph, the quota stage's settlements included), and
     * nothing new came for two checkpoints.
     */
    private static void settle() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Map<Integer, Long>> last = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, Map<Integer, Long>> ends = recordEnds(busTopics());
            ends.putAll(recordEnds(List.of(TOPICS.usage())));
            Map<String, Map<Integer, Long>> committed =
                    new TreeMap<>(bus.committed(TOPICS.groupId()));
            committed.putAll(bus.committed(QUOTA_GROUP));
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

    /**
     * The release folder, with the organism and registry key of the newest release if it has none.
     */
    private static Path prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : List.of(Releases.ORGANISM, Releases.REGISTRY_KEY, Releases.QUOTA)) {
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
