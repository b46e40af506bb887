package dev.agentstream.devtools;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole job on a MiniCluster with RocksDB state, against a real Kafka broker process and the
 * LLM simulator over HTTP on loopback.
 */
class EndToEndITCase extends LocalServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());
    private static final Path EXAMPLE = Path.of("..", "examples", "organism.yaml");

    @Test
    void shouldAnswerAGreetingOfUpstreamHelloWorldAndSurviveGarbage() throws Exception {
        Optional<Path> upstream = upstreamFile("organism.yaml");
        assumeTrue(upstream.isPresent(), "../shared/xml-pipeline/organism.yaml absent: skipped");
        Topics topics = Topics.create("hello");
        String thread = UUID.randomUUID().toString();

        JobClient job = startJob(OrganismLoader.load(upstream.get()), upstream.get(), topics);
        try {
            bus.send(topics.bus, null, "not even close to XML {");
            bus.send(topics.bus, thread, greeting(thread, "Ada"));

            List<Envelope> answers = answersOn(topics, 2);
            List<JsonNode> usage = usageOn(topics, 1);
            var dead = bus.readUntil(topics.deadLetters, r -> !r.isEmpty(), WAIT);

            // greeter calls its peer shouter on a subthread and records the call on its own.
            assertThat(answers).hasSize(2);
            // Apart on the bus (other threads, other partitions): no order between them.
            Envelope call = calls(answers).get(0);
            assertThat(call.from).isEqualTo("greeter");
            assertThat(call.to).isEqualTo("shouter");
            assertThat(call.thread).isNotEqualTo(thread);
            assertThat(call.payloadRoot).isEqualTo("GreetingResponse");
            assertThat(call.payloadXml).contains("Ada");
            assertThat(call.metaExtensions)
                    .contains("kind=\"call\"")
                    .contains("peer=\"" + thread + "\"");
            Envelope record =
                    answers.stream().filter(e -> "sent".equals(e.payloadRoot)).findFirst().get();
            assertThat(record.thread).isEqualTo(thread);
            assertThat(record.to).isNull();
            assertThat(record.payloadRoot).isEqualTo("sent");

            assertThat(usage).hasSize(1);
            assertThat(usage.get(0).path("agent").asText()).isEqualTo("greeter");
            assertThat(usage.get(0).path("status").asText()).isEqualTo("ok");
            assertThat(usage.get(0).path("thread").asText()).isEqualTo(thread);
            assertThat(usage.get(0).path("inputTokens").asInt()).isPositive();
            assertThat(usage.get(0).path("outputTokens").asInt()).isPositive();

            assertThat(dead).hasSize(1);
            assertThat(header(dead.get(0), "agentstream.reason")).isEqualTo("not-xml");
            assertThat(BusClient.text(dead.get(0).value())).contains("not even close");

            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
            assertJobOutputValidates(topics, upstream.get().resolveSibling("envelope.xsd"));
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAnswerTheCustomerOnceTheSummarizersAnswerIsBack() throws Exception {
        Topics topics = Topics.create("desk");
        String thread = UUID.randomUUID().toString();

        JobClient job = startJob(OrganismLoader.load(EXAMPLE), EXAMPLE, topics);
        try {
            bus.send(topics.bus, thread, request(thread));

            List<Envelope> answers = new ArrayList<>();
            bus.readUntil(
                    topics.bus,
                    records -> {
                        answers.clear();
                        answers.addAll(fromAgents(records));
                        return answers.stream().anyMatch(e -> "customer-portal".equals(e.to));
                    },
                    WAIT);
            List<JsonNode> usage = usageOn(topics, 3);

            assertThat(answers)
                    .as(
                            "answers (simulator saw %d requests; dead letters: %s)",
                            simulator.requestCount(),
                            bus
                                    .readUntil(
                                            topics.deadLetters, r -> false, Duration.ofSeconds(1))
                                    .stream()
                                    .map(
                                            r ->
                                                    header(r, "agentstream.reason")
                                                            + ":"
                                                            + header(r, "agentstream.detail"))
                                    .toList())
                    .extracting(e -> e.from + ">" + e.to + ":" + e.payloadRoot)
                    .containsExactlyInAnyOrder(
                            "concierge>summarizer:Brief", // the call, on a subthread
                            "concierge>null:sent", // its record, on the customer's thread
                            "summarizer>concierge:reply", // the answer, on the subthread
                            "summarizer>concierge:reply", // the answer, back on the thread
                            "concierge>customer-portal:reply");
            Envelope call = calls(answers).get(0);
            assertThat(call.thread).isNotEqualTo(thread);
            assertThat(call.metaExtensions).contains("peer=\"" + thread + "\"");
            assertThat(answers)
                    .filteredOn(e -> "summarizer".equals(e.from))
                    .extracting(e -> e.thread)
                    .containsExactlyInAnyOrder(call.thread, thread);
            Envelope last =
                    answers.stream().filter(e -> "customer-portal".equals(e.to)).findFirst().get();
            assertThat(last.thread).isEqualTo(thread);
            assertThat(last.payloadXml).contains("Ines");
            assertThat(usage)
                    .extracting(u -> u.path("agent").asText())
                    .containsExactlyInAnyOrder("concierge", "summarizer", "concierge");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAnswerAProviderFailureWithAnErrorEnvelopeAndAFailedUsageRecord() throws Exception {
        Topics topics = Topics.create("fail");
        String thread = UUID.randomUUID().toString();

        JobClient job = startJob(OrganismLoader.load(EXAMPLE), EXAMPLE, topics);
        try {
            // The example's one backend, tried once and retried three times (its llm.retries).
            simulator.failNext(4, 500);
            bus.send(topics.bus, thread, request(thread));

            List<Envelope> answers = answersOn(topics, 1);
            List<JsonNode> usage = usageOn(topics, 1);

            assertThat(answers).hasSize(1);
            assertThat(answers.get(0).to).isEqualTo("customer-portal");
            assertThat(answers.get(0).payloadRoot).isEqualTo("huh");
            assertThat(answers.get(0).payloadXml).contains("HTTP 500");
            assertThat(usage.get(0).path("status").asText()).isEqualTo("failed");
            assertThat(usage.get(0).path("totalTokens").asInt()).isZero();
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAnswerACallPastItsDeadlineWithOneErrorEnvelopeAndOneUsageRecord() throws Exception {
        Topics topics = Topics.create("slow");
        String thread = UUID.randomUUID().toString();
        Configuration extra = new Configuration();
        extra.set(AgentStreamOptions.LLM_TIMEOUT, Duration.ofMillis(500));

        JobClient job = startJob(OrganismLoader.load(EXAMPLE), EXAMPLE, topics, extra);
        try {
            simulator.setLatency(Duration.ofSeconds(2));
            bus.send(topics.bus, thread, request(thread));

            List<Envelope> answers = answersOn(topics, 1);
            List<JsonNode> usage = usageOn(topics, 1);
            // The late answer arrives too, and must not make a second result.
            List<Envelope> later =
                    fromAgents(bus.readUntil(topics.bus, r -> false, Duration.ofSeconds(3)));

            assertThat(answers.get(0).payloadRoot).isEqualTo("huh");
            assertThat(answers.get(0).payloadXml).contains("timed out");
            assertThat(later).hasSize(1);
            assertThat(usage).hasSize(1);
            assertThat(usage.get(0).path("status").asText()).isEqualTo("failed");
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            simulator.setLatency(Duration.ZERO);
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldDeliverWithoutTransactionsWhenAtLeastOnceIsAsked() throws Exception {
        Topics topics = Topics.create("alo");
        String thread = UUID.randomUUID().toString();
        Configuration extra = new Configuration();
        extra.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);

        JobClient job = startJob(OrganismLoader.load(EXAMPLE), EXAMPLE, topics, extra);
        try {
            bus.send(topics.bus, thread, request(thread));

            assertThat(answersOn(topics, 5))
                    .filteredOn(e -> "customer-portal".equals(e.to))
                    .singleElement()
                    .satisfies(e -> assertThat(e.thread).isEqualTo(thread));
            assertThat(usageOn(topics, 3)).hasSize(3);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Clients write to an ingress topic of their own: the job reads it besides the bus, answers on
     * the bus (the call to the summarizer and its answer going through the bus as before) and never
     * writes to the ingress.
     */
    @Test
    void shouldReadClientsFromTheIngressAndAnswerOnTheBus() throws Exception {
        Topics topics = Topics.create("ingress");
        String ingress = "ingress-" + topics.bus;
        broker.createTopics(2, ingress);
        String thread = UUID.randomUUID().toString();
        Configuration extra = new Configuration();
        extra.set(AgentStreamOptions.BUS_INGRESS_TOPIC, ingress);

        JobClient job = startJob(OrganismLoader.load(EXAMPLE), EXAMPLE, topics, extra);
        try {
            bus.send(ingress, thread, request(thread));

            List<Envelope> answers = answersOn(topics, 5);
            assertThat(answers)
                    .extracting(e -> e.from + ">" + e.to + ":" + e.payloadRoot)
                    .contains("concierge>summarizer:Brief", "concierge>customer-portal:reply");
            assertThat(answers)
                    .filteredOn(e -> "customer-portal".equals(e.to))
                    .singleElement()
                    .satisfies(e -> assertThat(e.thread).isEqualTo(thread));
            assertThat(bus.readUntil(ingress, r -> false, Duration.ofSeconds(1)))
                    .as("the job writes nothing to the ingress")
                    .hasSize(1);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The registry over a real bus: two conversations at once on the same path, each agent's call
     * answered on its subthread and the answer routed back to the caller on its own thread, which
     * then answers its sender. Listener names have dots.
     */
    @Test
    void shouldRouteEachAnswerBackToItsCallerAndKeepConversationsApart() throws Exception {
        Topics topics = Topics.create("registry");
        Path organismFile = tmp.resolve("dotted-organism.yaml");
        Files.writeString(organismFile, DOTTED_ORGANISM);
        String ada = UUID.randomUUID().toString();
        String grace = UUID.randomUUID().toString();

        JobClient job = startJob(OrganismLoader.load(organismFile), organismFile, topics);
        try {
            bus.send(topics.bus, ada, dottedGreeting(ada, "Ada"));
            bus.send(topics.bus, grace, dottedGreeting(grace, "Grace"));

            List<Envelope> replies = new ArrayList<>();
            bus.readUntil(
                    topics.bus,
                    records -> {
                        replies.clear();
                        fromAgents(records).stream()
                                .filter(e -> "console".equals(e.to))
                                .forEach(replies::add);
                        return replies.size() >= 2;
                    },
                    WAIT);
            List<JsonNode> usage = usageOn(topics, 6);

            assertThat(replies).hasSize(2);
            assertThat(replies).allSatisfy(e -> assertThat(e.from).isEqualTo("desk.greeter"));
            assertThat(replies)
                    .filteredOn(e -> e.thread.equals(ada))
                    .singleElement()
                    .satisfies(
                            e -> assertThat(e.payloadXml).contains("Ada").doesNotContain("Grace"));
            assertThat(replies)
                    .filteredOn(e -> e.thread.equals(grace))
                    .singleElement()
                    .satisfies(
                            e -> assertThat(e.payloadXml).contains("Grace").doesNotContain("Ada"));
            assertThat(usage)
                    .extracting(u -> u.path("agent").asText())
                    .containsOnly("desk.greeter", "desk.shouter")
                    .hasSize(6);
            assertThat(bus.readUntil(topics.deadLetters, r -> false, Duration.ofSeconds(1)))
                    .isEmpty();
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRefuseAnIngressTheBrokerDoesNotHave() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        conf.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "ingress-never-created");

        assertThatThrownBy(() -> KafkaIo.from(conf, "no-ingress"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("bus.ingress-topic ingress-never-created does not exist");
    }

    @Test
    void shouldRefuseToStartWhenTheBrokerCannotHoldTheTransactions() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        conf.set(AgentStreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(20));

        // The test broker's transaction.max.timeout.ms is 15 minutes.
        assertThatThrownBy(() -> KafkaIo.from(conf, "too-long"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("transaction.max.timeout.ms (PT15M)");
    }

    // ------------------------------------------------------------------ helpers

    /** A greeter that calls a shouter agent, which answers in prose; dotted names. */
    private static final String DOTTED_ORGANISM =
            String.join(
                    "\n",
                    "organism:",
                    "  name: dotted-desk",
                    "llm:",
                    "  backends:",
                    "    - provider: openai",
                    "      model: sim-1",
                    "listeners:",
                    "  - name: desk.greeter",
                    "    payload_class: desk.Greeting",
                    "    description: Greets through the shouter",
                    "    agent: true",
                    "    peers: [desk.shouter]",
                    "    prompt: Ask the shouter, then report.",
                    "  - name: desk.shouter",
                    "    payload_class: desk.Shout",
                    "    description: Shouts what it is given",
                    "    agent: true",
                    "    prompt: Shout.",
                    "");

    private static String dottedGreeting(String thread, String name) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>console</from><to>desk.greeter</to><thread>"
                + thread
                + "</thread></meta><Greeting><name>"
                + name
                + "</name></Greeting></message>";
    }

    private record Topics(String bus, String usage, String deadLetters) {
        static Topics create(String name) {
            String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
            Topics t = new Topics("bus-" + suffix, "usage-" + suffix, "dead-" + suffix);
            broker.createTopics(2, t.bus, t.usage, t.deadLetters);
            return t;
        }
    }

    private static JobClient startJob(Organism organism, Path organismFile, Topics topics)
            throws Exception {
        return startJob(organism, organismFile, topics, new Configuration());
    }

    private static JobClient startJob(
            Organism organism, Path organismFile, Topics topics, Configuration extra)
            throws Exception {
        Configuration conf = AgentStreamJob.withDefaults(extra);
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, topics.bus);
        conf.set(AgentStreamOptions.USAGE_TOPIC, topics.usage);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, topics.deadLetters);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + topics.bus);
        conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(2);
        AgentStreamGraph.build(env, organism, conf, KafkaIo.from(conf, "it-" + topics.bus));
        return env.executeAsync("it-" + topics.bus);
    }

    /** Envelopes the job wrote (from an agent) on the bus, once {@code count} have arrived. */
    private static List<Envelope> answersOn(Topics topics, int count) {
        List<Envelope> answers = new ArrayList<>();
        bus.readUntil(
                topics.bus,
                records -> {
                    answers.clear();
                    answers.addAll(fromAgents(records));
                    return answers.size() >= count;
                },
                WAIT);
        return answers;
    }

    /** The calls among envelopes from agents: their records left out. */
    private static List<Envelope> calls(List<Envelope> fromAgents) {
        return fromAgents.stream().filter(e -> !"sent".equals(e.payloadRoot)).toList();
    }

    private static List<Envelope> fromAgents(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Envelope> out = new ArrayList<>();
        for (var record : records) {
            try {
                Envelope e = CODEC.decode(record.value());
                if (!List.of("console", "customer-portal").contains(e.from)) {
                    out.add(e);
                }
            } catch (Exception notAnEnvelope) {
                // garbage the test itself sent
            }
        }
        return out;
    }

    private static List<JsonNode> usageOn(Topics topics, int count) throws Exception {
        List<JsonNode> usage = new ArrayList<>();
        for (var r : bus.readUntil(topics.usage, rs -> rs.size() >= count, WAIT)) {
            usage.add(JSON.readTree(r.value()));
        }
        return usage;
    }

    private static void assertJobOutputValidates(Topics topics, Path xsd) throws Exception {
        Schema schema =
                SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                        .newSchema(xsd.toFile());
        var records = bus.readUntil(topics.bus, r -> false, Duration.ofSeconds(2));
        int validated = 0;
        for (var record : records) {
            String xml = BusClient.text(record.value());
            if (xml.contains("<from>greeter</from>")) {
                schema.newValidator()
                        .validate(new StreamSource(new ByteArrayInputStream(record.value())));
                validated++;
            }
        }
        assertThat(validated).isPositive();
    }

    private static String greeting(String thread, String name) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>console</from><to>greeter</to><thread>"
                + thread
                + "</thread></meta><Greeting><name>"
                + name
                + "</name></Greeting></message>";
    }

    private static String request(String thread) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>customer-portal</from><thread>"
                + thread
                + "</thread></meta><Request><customer>Ines</customer>"
                + "<text>The invoice shows the wrong VAT number.</text></Request></message>";
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Optional<Path> upstreamFile(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("xml-pipeline").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
