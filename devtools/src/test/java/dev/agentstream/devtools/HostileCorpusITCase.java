package dev.agentstream.devtools;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.corpus.EnvelopeMutator;
import dev.agentstream.devtools.corpus.HostileVectors;
import dev.agentstream.devtools.corpus.LoopbackCanary;
import dev.agentstream.devtools.corpus.NamedVector;
import dev.agentstream.devtools.sim.RecordedRequest;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.DeadLetterSerializer;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-input corpus against the whole job: the named XML and envelope attacks of {@link
 * HostileVectors} and thousands of seeded {@link EnvelopeMutator} mutations of valid envelopes go
 * onto the bus of a running job (MiniCluster, RocksDB, real broker, the LLM simulator), which runs
 * with no restart strategy, so that any failure ends it. Every input must come out as a dead letter
 * with a reason, or as a turn of the agent (its usage record); nothing may vanish, the job must
 * still be running, the loopback canary must never see a connection and the canary file's content
 * must appear nowhere.
 *
 * <p>Inputs are told apart by where they landed on the bus: a dead letter's {@code
 * agentstream.source} header and a usage record's {@code inputEnvelopeId} are those coordinates.
 * The unit tests ({@code EnvelopeDecodeAttackTest}, {@code EnvelopeCodecRejectionTest}, {@code
 * XmlFactoriesTest}) cover the decoder alone; this one covers the job around it: the Kafka limits,
 * the sinks, the later stages.
 */
class HostileCorpusITCase extends LocalServicesTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_ENVELOPE_BYTES = 1024 * 1024;

    /** Room on the bus for the 10 MiB vector, so that the job is the one that refuses it. */
    private static final int BUS_MAX_RECORD = 16 * 1024 * 1024;

    private static final long SEED = Long.getLong("agentstream.corpus.seed", 0x5EED_C0DE_2026L);
    private static final int MUTATIONS = Integer.getInteger("agentstream.corpus.mutations", 3000);

    private static final Set<String> REASON_CODES =
            Arrays.stream(DeadLetterReason.values())
                    .map(DeadLetterReason::code)
                    .collect(Collectors.toSet());

    @Test
    void shouldDeadLetterOrAnswerEveryHostileInputWithoutRestartingOrReachingOut()
            throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String busTopic = "hostile-bus-" + suffix;
        String usageTopic = "hostile-usage-" + suffix;
        String deadTopic = "hostile-dead-" + suffix;
        broker.createTopics(
                2, Map.of("max.message.bytes", String.valueOf(BUS_MAX_RECORD)), busTopic);
        broker.createTopics(2, usageTopic, deadTopic);
        String secret = "CANARY-FILE-CONTENT-" + UUID.randomUUID();
        Path canaryFile = tmp.resolve("canary-" + suffix + ".txt");
        Files.writeString(canaryFile, secret);

        try (LoopbackCanary canary = LoopbackCanary.start()) {
            List<NamedVector> named =
                    new HostileVectors(
                                    canary.url(), canaryFile.toUri().toString(), MAX_ENVELOPE_BYTES)
                            .all();
            List<EnvelopeMutator.Mutation> mutations =
                    new EnvelopeMutator(SEED).mutations(MUTATIONS);
            List<byte[]> values = new ArrayList<>();
            named.forEach(v -> values.add(v.value()));
            mutations.forEach(m -> values.add(m.value()));

            JobClient job = startJob(busTopic, usageTopic, deadTopic);
            try {
                List<String> at = bus.sendAll(busTopic, values, BUS_MAX_RECORD + 1024);
                Outcomes outcomes = new Outcomes(Set.copyOf(at));
                boolean complete =
                        bus.readEach(
                                List.of(deadTopic, usageTopic),
                                outcomes::add,
                                outcomes::complete,
                                WAIT);

                assertNamedVectors(named, at, outcomes);
                assertThat(outcomes.originalSize(at.get(named.indexOf(huge(named)))))
                        .as("the size header of the 10 MiB vector's cut dead letter")
                        .isEqualTo(String.valueOf(huge(named).value().length));
                assertMutationsAccountedFor(
                        mutations, at.subList(named.size(), at.size()), outcomes);
                assertThat(complete).as("every input accounted for in time").isTrue();
                assertThat(outcomes.reasons()).isSubsetOf(REASON_CODES);
                assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                        .as("the job, which has no restart strategy")
                        .isEqualTo(JobStatus.RUNNING);
                assertThat(canary.connections()).as("connections to the canary port").isZero();
                assertNowhere(secret, busTopic, usageTopic, deadTopic);
                System.out.printf(
                        "Hostile corpus (seed %d): %d named, %d mutations; %d turns, reasons %s%n",
                        SEED, named.size(), mutations.size(), outcomes.turns(), outcomes.counts());
            } finally {
                stop(job);
            }
        }
    }

    // ------------------------------------------------------------------ the checks

    private static void assertNamedVectors(
            List<NamedVector> named, List<String> at, Outcomes outcomes) {
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> actual = new TreeMap<>();
        for (int i = 0; i < named.size(); i++) {
            NamedVector v = named.get(i);
            expected.put(v.name(), v.expectedReason() == null ? "turn" : v.expectedReason());
            actual.put(v.name(), outcomes.describe(at.get(i)));
        }
        assertThat(actual).as("what the job made of each named vector").isEqualTo(expected);
    }

    private static void assertMutationsAccountedFor(
            List<EnvelopeMutator.Mutation> mutations, List<String> at, Outcomes outcomes) {
        List<String> vanished = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        for (int i = 0; i < mutations.size(); i++) {
            EnvelopeMutator.Mutation m = mutations.get(i);
            String outcome = outcomes.describe(at.get(i));
            if (outcome.equals("nothing")) {
                vanished.add(m.index() + " (" + m.operators() + "): " + printable(m.value()));
            } else if (outcome.contains(",")) {
                doubled.add(m.index() + " (" + m.operators() + "): " + outcome);
            }
        }
        assertThat(vanished)
                .as("mutations with neither a dead letter nor a turn (seed %d)", SEED)
                .isEmpty();
        // No restart, exactly once, an agent without peers: one outcome per input.
        assertThat(doubled).as("mutations with more than one outcome (seed %d)", SEED).isEmpty();
    }

    private static NamedVector huge(List<NamedVector> named) {
        return named.stream().filter(v -> v.name().equals("text-node-10mib")).findFirst().get();
    }

    /** The canary file's content is in no topic and in no prompt. */
    private static void assertNowhere(String secret, String... topics) {
        for (String topic : topics) {
            for (ConsumerRecord<byte[], byte[]> r : bus.readAll(topic, WAIT)) {
                assertThat(latin1(r.value())).as("a record of %s", topic).doesNotContain(secret);
            }
        }
        for (RecordedRequest request : simulator.recordedRequests()) {
            assertThat(request.body()).as("a prompt").doesNotContain(secret);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** What came out for each input, by its bus coordinates. */
    private static final class Outcomes {
        private final Set<String> inputs;
        private final Map<String, List<String>> deadLetters = new HashMap<>();
        private final Map<String, Integer> turns = new HashMap<>();
        private final Map<String, String> originalSizes = new HashMap<>();
        private final Set<String> accounted = new HashSet<>();

        Outcomes(Set<String> inputs) {
            this.inputs = inputs;
        }

        void add(ConsumerRecord<byte[], byte[]> r) {
            String source = header(r, DeadLetterSerializer.SOURCE_HEADER);
            if (source != null) {
                String reason = header(r, DeadLetterSerializer.REASON_HEADER);
                deadLetters.computeIfAbsent(source, s -> new ArrayList<>()).add(reason);
                String size = header(r, DeadLetterSerializer.ORIGINAL_SIZE_HEADER);
                if (size != null) {
                    originalSizes.put(source, size);
                }
                accounted.add(source);
                return;
            }
            String input = usageInput(r.value());
            turns.merge(input, 1, Integer::sum);
            accounted.add(input);
        }

        boolean complete() {
            return accounted.containsAll(inputs);
        }

        /** The original-size header of the input's dead letter, if it was cut. */
        String originalSize(String input) {
            return originalSizes.get(input);
        }

        /** The dead-letter reasons, {@code turn}, or {@code nothing}; joined when several. */
        String describe(String input) {
            List<String> all = new ArrayList<>(deadLetters.getOrDefault(input, List.of()));
            for (int i = 0; i < turns.getOrDefault(input, 0); i++) {
                all.add("turn");
            }
            return all.isEmpty() ? "nothing" : String.join(",", all);
        }

        Set<String> reasons() {
            return deadLetters.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        }

        Map<String, Long> counts() {
            return deadLetters.values().stream()
                    .flatMap(List::stream)
                    .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        }

        int turns() {
            return turns.values().stream().mapToInt(Integer::intValue).sum();
        }

        private static String usageInput(byte[] value) {
            try {
                JsonNode usage = JSON.readTree(value);
                return usage.path("inputEnvelopeId").asText();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("a usage record that is not JSON", e);
            }
        }
    }

    private JobClient startJob(String busTopic, String usageTopic, String deadTopic)
            throws Exception {
        Path organismFile = tmp.resolve("echo-" + busTopic + ".yaml");
        Files.writeString(organismFile, echoOrganism());
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, busTopic);
        conf.set(AgentStreamOptions.USAGE_TOPIC, usageTopic);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, deadTopic);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + busTopic);
        conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        // Any failure ends the job: a restart cannot hide one.
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(2);
        AgentStreamGraph.build(
                env,
                OrganismLoader.load(organismFile),
                conf,
                KafkaIo.from(conf, "hostile-" + busTopic));
        return env.executeAsync("hostile-" + busTopic);
    }

    /** Cancels the job unless it has ended already (failed), which the assertions report. */
    private static void stop(JobClient job) throws Exception {
        if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static String echoOrganism() {
        return String.join(
                "\n",
                "organism:",
                "  name: hostile-corpus",
                "llm:",
                "  backends:",
                "    - provider: openai",
                "      model: sim-1",
                "listeners:",
                "  - name: " + HostileVectors.AGENT,
                "    payload_class: corpus.Ping",
                "    description: Answers every ping in words",
                "    agent: true",
                "    prompt: Answer briefly.",
                "");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String latin1(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The first bytes of an input, escaped so that a failure message stays readable. */
    private static String printable(byte[] value) {
        if (value == null) {
            return "(no value)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(value.length, 400); i++) {
            int b = value[i] & 0xFF;
            sb.append(
                    b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return sb.toString();
    }
}
