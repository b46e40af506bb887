package dev.agentstream.savepoints;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.TimeUtils;

import dev.agentstream.devtools.sim.RecordedRequest;
import dev.agentstream.devtools.state.SavepointInspector;
import dev.agentstream.devtools.state.TenantEraser;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.udfs.envelope.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.agentstream.savepoints.Script.ACME;
import static dev.agentstream.savepoints.Script.BUDGET;
import static dev.agentstream.savepoints.Script.CALLER;
import static dev.agentstream.savepoints.Script.CONTEXT;
import static dev.agentstream.savepoints.Script.GLOBEX;
import static dev.agentstream.savepoints.Script.INITECH;
import static dev.agentstream.savepoints.Script.OTHER_TENANT;
import static dev.agentstream.savepoints.Script.QUOTA_RESERVED;
import static dev.agentstream.savepoints.Script.QUOTA_WAITING;
import static dev.agentstream.savepoints.Script.SUBTHREAD;
import static dev.agentstream.savepoints.Script.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores the committed savepoint of every release into the job as this code builds it, on RocksDB
 * and a new Kafka broker, and proves the state came through: read with the State Processor API
 * first, then by what the restored job does with it. The restore allows no unmapped state, so a
 * changed uid or a dropped stateful operator fails here.
 */
class SavepointMigrationITCase extends ServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The words of the inputs the test sends: none is in any committed savepoint. */
    private static final String NEW_DRAFT = "Gauguin painted Tahiti";

    private static final String LOOKUP_ANSWER = "Kibo summit stands 5895 metres high";
    private static final String OVER_BUDGET = Script.BUDGET_DRAFT + (Script.BUDGET_TURNS + 1);

    /**
     * A draft of initech's of about 2,600 tokens (an estimate of 3,661 with the completion limit):
     * it fits initech's budget and window alone, and not beside the usage the savepoint holds.
     */
    private static final String OVER_QUOTA = "Darwin sailed on the Beagle. ".repeat(368).trim();

    private static final String OVER_QUOTA_THREAD = Script.thread("quota-over-budget");

    static List<Path> releases() throws Exception {
        return Releases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void shouldRestoreEveryThreadLinkTurnAndBudget(Path release) throws Exception {
        Manifest manifest = Manifest.read(release);
        Path savepoint = release.resolve(Releases.SAVEPOINT);

        // What the savepoint holds, read offline.
        SavepointExpectations.assertHolds(SavepointInspector.read(savepoint), manifest);

        // What the restored job does with it.
        int requestsBefore = simulator.recordedRequests().size();
        prepareBroker(manifest);
        JobClient job = ReleaseJob.start(configuration(release, savepoint, manifest), PARALLELISM);
        try {
            sendInputs(manifest);
            List<Envelope> out = awaitOutputs(manifest);
            List<String> prompts = prompts(requestsBefore);

            assertRestoredContext(prompts);
            assertAnswerRoutedToCaller(manifest, out, prompts);
            assertWaitingTurnRanAfterTheBusyOne(manifest, out, prompts);
            assertBudgetRestored(manifest, out, prompts);
            if (manifest.quota().isPresent()) {
                assertQuotaRestored(manifest, out, prompts);
            }
            assertThat(deadLetters(manifest)).as("dead letters, padding among them").isEmpty();
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A savepoint the state tool rewrote without one tenant restores into the job: the other
     * tenant's threads keep their context, the erased tenant's threads start over, and the erased
     * tenant's turn in flight is not sent again. With quota state, the quota's tenant is erased
     * too: its waiting turn and its turn in flight are gone, and the draft the full restore rejects
     * for the budget the savepoint used is let through.
     */
    @Test
    void shouldRestoreTheSavepointTheStateToolWroteWithoutATenant() throws Exception {
        Path release = Releases.all().get(Releases.all().size() - 1);
        Manifest manifest = Manifest.read(release);
        Path erased = tmp.resolve("without-globex-" + release.getFileName());
        TenantEraser.erase(release.resolve(Releases.SAVEPOINT), GLOBEX, erased);
        boolean quota = manifest.quota().isPresent();
        if (quota) {
            Path withoutInitech = tmp.resolve("without-initech-" + release.getFileName());
            TenantEraser.erase(erased, INITECH, withoutInitech);
            erased = withoutInitech;
        }

        int requestsBefore = simulator.recordedRequests().size();
        prepareBroker(manifest);
        JobClient job = ReleaseJob.start(configuration(release, erased, manifest), PARALLELISM);
        try {
            String context = manifest.thread(CONTEXT).thread();
            String other = manifest.thread(OTHER_TENANT).thread();
            bus.send(manifest.topics().bus(ACME), context, Envelopes.draft(context, NEW_DRAFT));
            bus.send(
                    manifest.topics().bus(GLOBEX),
                    other,
                    Envelopes.draft(other, "Monet painted water lilies"));
            if (quota) {
                sendOverQuota(manifest);
            }
            bus.readUntil(
                    busTopics(manifest),
                    records -> {
                        List<Envelope> out =
                                records.stream().flatMap(r -> r.envelope().stream()).toList();
                        return count(out, "writer", context) >= 1
                                && count(out, "writer", other) >= 1
                                && (!quota || count(out, "writer", OVER_QUOTA_THREAD) >= 1);
                    },
                    WAIT);
            List<String> prompts = prompts(requestsBefore);

            assertRestoredContext(prompts);
            assertThat(prompts)
                    .filteredOn(p -> p.contains("Monet"))
                    .singleElement()
                    .satisfies(p -> assertThat(p).doesNotContain("Hokusai"));
            assertThat(prompts).noneMatch(p -> p.contains("Cassatt") || p.contains("Kahlo"));
            if (quota) {
                assertThat(prompts)
                        .as("the erased quota's turns")
                        .noneMatch(p -> p.contains("Shackleton") || p.contains("Amundsen"));
                assertThat(prompts)
                        .as("the draft over the erased budget, let through")
                        .filteredOn(p -> p.contains("Darwin"))
                        .hasSize(1);
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The release's topics on this class's broker, each partition of the bus padded to the offset
     * the bus source had reached, and the usage topic to the offset the quota's usage source had
     * reached: the sources restore their offsets, so each must skip exactly that many records (see
     * docs/savepoints.md).
     */
    private static void prepareBroker(Manifest manifest) throws Exception {
        Manifest.Topics topics = manifest.topics();
        List<String> names = new ArrayList<>();
        names.add(topics.busFallback());
        names.add(topics.usage());
        names.add(topics.deadLetters());
        manifest.tenants().forEach(t -> names.add(topics.bus(t)));
        bus.deleteTopics(names);
        createTopics(topics, manifest.tenants());
        pad(manifest.busOffsets());
        manifest.quota().ifPresent(q -> pad(q.usageOffsets()));
    }

    private static void pad(Map<String, Map<Integer, Long>> offsets) {
        try {
            for (var topic : offsets.entrySet()) {
                for (var partition : topic.getValue().entrySet()) {
                    bus.pad(topic.getKey(), partition.getKey(), partition.getValue());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot pad " + offsets.keySet(), e);
        }
    }

    private static Configuration configuration(Path release, Path savepoint, Manifest manifest) {
        Configuration extra = new Configuration();
        // The committed state is older than any context.ttl a job would run with.
        extra.set(AgentStreamOptions.CONTEXT_TTL, Duration.ofDays(36500));
        // The budget conversation used all its turns: its next one must be rejected.
        extra.set(AgentStreamOptions.CONVERSATION_MAX_TURNS, Script.BUDGET_TURNS);
        // The release's quota limits and options; a turn over quota is rejected at once rather
        // than waiting (a limit, not state: the waiting turn's deadline is in the savepoint).
        manifest.quota()
                .ifPresent(
                        q ->
                                extra.addAll(
                                        ReleaseJob.quota(
                                                release,
                                                TimeUtils.parseDuration(q.window()),
                                                TimeUtils.parseDuration(q.budgetPeriod()),
                                                TimeUtils.parseDuration(q.reservationTtl()),
                                                Duration.ZERO)));
        extra.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        extra.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        return ReleaseJob.configuration(
                release, manifest.topics(), broker.bootstrapServers(), simulator.baseUrl(), extra);
    }

    private static void sendInputs(Manifest manifest) throws Exception {
        String acme = manifest.topics().bus(ACME);
        String subthread = manifest.thread(SUBTHREAD).thread();
        bus.send(acme, subthread, Envelopes.lookupAnswer(subthread, LOOKUP_ANSWER));
        String context = manifest.thread(CONTEXT).thread();
        bus.send(acme, context, Envelopes.draft(context, NEW_DRAFT));
        String budget = manifest.thread(BUDGET).thread();
        bus.send(acme, budget, Envelopes.draft(budget, OVER_BUDGET));
    }

    /**
     * Waits for what the restored job must write: the writer's answer on the context thread, the
     * desk's on the caller's thread, the writer's two on the waiting thread and the refusal on the
     * budget thread; with quota state, the writer's answers to the quota's turn in flight and to
     * its waiting turn.
     */
    private static List<Envelope> awaitOutputs(Manifest manifest) {
        List<Envelope> out = new ArrayList<>();
        boolean quota = manifest.quota().isPresent();
        bus.readUntil(
                busTopics(manifest),
                records -> {
                    out.clear();
                    records.stream().flatMap(r -> r.envelope().stream()).forEach(out::add);
                    return count(out, "writer", manifest.thread(CONTEXT).thread()) >= 1
                            && count(out, "desk", manifest.thread(CALLER).thread()) >= 1
                            && count(out, "writer", manifest.thread(WAITING).thread()) >= 2
                            && refusals(out, manifest.thread(BUDGET).thread()) >= 1
                            && (!quota
                                    || (count(
                                                            out,
                                                            "writer",
                                                            manifest.thread(QUOTA_RESERVED)
                                                                    .thread())
                                                    >= 1
                                            && count(
                                                            out,
                                                            "writer",
                                                            manifest.thread(QUOTA_WAITING).thread())
                                                    >= 1));
                },
                WAIT);
        return out;
    }

    /** A new envelope on an old thread: its prompt holds the context the savepoint kept. */
    private static void assertRestoredContext(List<String> prompts) {
        assertThat(prompts)
                .filteredOn(p -> p.contains("Gauguin"))
                .singleElement()
                .satisfies(
                        p ->
                                assertThat(p)
                                        .contains("Rembrandt", "Vermeer")
                                        .doesNotContain("Hokusai", "Cassatt", "Kilimanjaro"));
    }

    /**
     * The lookup tool's answer on the subthread goes up to the desk on the caller's thread, through
     * the link the savepoint kept open; the desk's turn then reads its old question with it.
     */
    private static void assertAnswerRoutedToCaller(
            Manifest manifest, List<Envelope> out, List<String> prompts) {
        String caller = manifest.thread(CALLER).thread();
        assertThat(out)
                .filteredOn(e -> caller.equals(e.thread) && "lookup".equals(e.from))
                .singleElement()
                .satisfies(e -> assertThat(e.to).isEqualTo("desk"));
        assertThat(prompts)
                .filteredOn(p -> p.contains("5895"))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("Kilimanjaro"));
        assertThat(out)
                .filteredOn(e -> caller.equals(e.thread) && "desk".equals(e.from))
                .isNotEmpty();
    }

    /**
     * The turn in flight at the savepoint is sent again on restore; once its answer is back, the
     * input that waited for the busy writer gets its turn, with the first exchange in its history.
     */
    private static void assertWaitingTurnRanAfterTheBusyOne(
            Manifest manifest, List<Envelope> out, List<String> prompts) {
        String thread = manifest.thread(WAITING).thread();
        assertThat(out)
                .filteredOn(e -> thread.equals(e.thread) && "writer".equals(e.from))
                .hasSize(2);
        int inFlight = indexOf(prompts, "Cassatt", "Kahlo", true);
        int waiting = indexOf(prompts, "Kahlo", "Cassatt", false);
        assertThat(inFlight).as("the turn in flight, sent again").isNotNegative();
        assertThat(waiting).as("the waiting turn").isGreaterThan(inFlight);
    }

    /**
     * The conversation budget came through: the fifth turn of a four-turn budget is never called;
     * the writer's sender hears why.
     */
    private static void assertBudgetRestored(
            Manifest manifest, List<Envelope> out, List<String> prompts) {
        assertThat(prompts).noneMatch(p -> p.contains(OVER_BUDGET));
        String budget = manifest.thread(BUDGET).thread();
        assertThat(out)
                .filteredOn(e -> budget.equals(e.thread) && "huh".equals(e.payloadRoot))
                .singleElement()
                .satisfies(e -> assertThat(e.payloadXml).contains("conversation.max-turns"));
    }

    /**
     * The quota came through: the turn waiting for the quota's timer in the savepoint runs (its
     * timer is long past and fires on restore, and the window it waited for is empty), the call in
     * flight is sent again; and the budget the savepoint used still counts: a draft that fits the
     * budget alone (the erasure test lets the same draft through) is rejected, never called, and
     * its sender hears why.
     */
    private static void assertQuotaRestored(
            Manifest manifest, List<Envelope> out, List<String> prompts) {
        assertThat(out)
                .filteredOn(
                        e ->
                                manifest.thread(QUOTA_WAITING).thread().equals(e.thread)
                                        && "writer".equals(e.from))
                .singleElement()
                .satisfies(e -> assertThat(e.payloadRoot).isNotEqualTo("huh"));
        assertThat(prompts).filteredOn(p -> p.contains("Shackleton")).hasSize(1);
        assertThat(prompts).filteredOn(p -> p.contains("Amundsen")).hasSize(1);

        int requestsBefore = simulator.recordedRequests().size();
        sendOverQuota(manifest);
        List<Envelope> refused = new ArrayList<>();
        bus.readUntil(
                busTopics(manifest),
                records -> {
                    refused.clear();
                    records.stream()
                            .flatMap(r -> r.envelope().stream())
                            .filter(e -> OVER_QUOTA_THREAD.equals(e.thread))
                            .filter(e -> "writer".equals(e.from))
                            .forEach(refused::add);
                    return !refused.isEmpty();
                },
                WAIT);
        assertThat(refused)
                .as("the writer's answer to the draft over initech's budget")
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.payloadRoot).isEqualTo("huh");
                            assertThat(e.payloadXml)
                                    .contains("tenant " + INITECH, "quota.budget-tokens")
                                    .doesNotContain("may ever use");
                        });
        assertThat(prompts(requestsBefore)).noneMatch(p -> p.contains("Darwin"));
    }

    private static void sendOverQuota(Manifest manifest) {
        try {
            bus.send(
                    manifest.topics().bus(INITECH),
                    OVER_QUOTA_THREAD,
                    Envelopes.draft(OVER_QUOTA_THREAD, OVER_QUOTA));
        } catch (Exception e) {
            throw new IllegalStateException("cannot send to " + INITECH, e);
        }
    }

    private static List<String> busTopics(Manifest manifest) {
        return manifest.tenants().stream().map(manifest.topics()::bus).toList();
    }

    private static List<String> deadLetters(Manifest manifest) {
        return bus
                .readUntil(
                        List.of(manifest.topics().deadLetters()), r -> false, Duration.ofSeconds(1))
                .stream()
                .map(r -> r.header("agentstream.reason") + ": " + r.header("agentstream.detail"))
                .toList();
    }

    /** The prompts the simulator got since {@code from}, as request bodies, oldest first. */
    private static List<String> prompts(int from) {
        List<RecordedRequest> all = simulator.recordedRequests();
        return all.subList(from, all.size()).stream().map(RecordedRequest::body).toList();
    }

    /**
     * The index of the first prompt that holds {@code word} and, as {@code without} says, does not
     * or does hold {@code other}; -1 when none does.
     */
    private static int indexOf(List<String> prompts, String word, String other, boolean without) {
        for (int i = 0; i < prompts.size(); i++) {
            String p = prompts.get(i);
            if (p.contains(word) && p.contains(other) != without) {
                return i;
            }
        }
        return -1;
    }

    private static long refusals(List<Envelope> out, String thread) {
        return out.stream()
                .filter(e -> thread.equals(e.thread) && "huh".equals(e.payloadRoot))
                .count();
    }

    private static long count(List<Envelope> out, String from, String thread) {
        return out.stream().filter(e -> from.equals(e.from) && thread.equals(e.thread)).count();
    }
}
