package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.sim.RecordedRequest;
import dev.agentstream.devtools.tenant.TenantTokens;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.DeadLetterSerializer;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.tenant.TenantSource;
import dev.agentstream.udfs.tenant.TenantXml;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants of one organism on one running job (MiniCluster, RocksDB, real broker, the LLM
 * simulator), using the same thread UUIDs: the second can reach neither a thread, a cache entry nor
 * a usage record of the first. What each turn's prompt held is read from the simulator's request
 * log; every input is told apart by its bus coordinates, which its usage record names.
 */
class TenantIsolationITCase extends LocalServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());
    private static final TenantXml TENANT_XML = new TenantXml(EnvelopeLimits.defaults());
    private static final int MAX_RECORD = 1024 * 1024;

    private static final String A = "acme";
    private static final String B = "globex";
    private static final String CLIENT = "console";

    @Test
    void shouldKeepThreadsCacheAndUsageApartInTokenMode() throws Exception {
        Topics topics = Topics.create("token");
        TenantTokens tokens =
                new TenantTokens(tmp.resolve("secrets-" + topics.bus + ".yaml"), A, B);
        String aToken = tokens.element(tokens.token(A, CLIENT));
        String bToken = tokens.element(tokens.token(B, CLIENT));
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        String aSecret = "A-SECRET-" + nonce;
        String aSecond = "A-SECOND-" + nonce;
        String question = "Which river runs through Q-" + nonce + "?";
        String t = UUID.randomUUID().toString();
        String t2 = UUID.randomUUID().toString();
        String t3 = UUID.randomUUID().toString();

        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOKEN);
        conf.set(AgentStreamOptions.TENANT_SECRETS_FILE, tokens.secretsFile().toString());
        conf.set(AgentStreamOptions.TENANT_TOKEN_ISSUER, TenantTokens.ISSUER);
        conf.set(AgentStreamOptions.TENANT_TOKEN_AUDIENCE, TenantTokens.AUDIENCE);
        conf.set(AgentStreamOptions.BUS_TOPIC, topics.bus);
        JobClient job = startJob(topics, conf);
        try {
            // Tenant A: a conversation on T, whose second turn sees the first (the control).
            String a1 = send(topics.bus, note(t, CLIENT, aToken, aSecret));
            assertThat(usageOf(topics, a1).path("tenant").asText()).isEqualTo(A);
            String a2 = send(topics.bus, note(t, CLIENT, aToken, aSecond));
            assertThat(usageOf(topics, a2).path("tenant").asText()).isEqualTo(A);
            assertThat(promptWith(aSecond)).contains(aSecret);

            // A asks the caching agent on T2, then the same on T3: a miss, then a hit.
            String aq1 = send(topics.bus, question(t2, aToken, question));
            assertThat(usageOf(topics, aq1).path("cacheHit").asBoolean()).isFalse();
            String aq2 = send(topics.bus, question(t3, aToken, question));
            assertThat(usageOf(topics, aq2).path("cacheHit").asBoolean()).isTrue();
            assertThat(promptsWith(question)).hasSize(1);

            // Tenant B on the same thread T: its turn sees nothing of A's.
            String bNote = "B-NOTE-" + nonce;
            String b1 = send(topics.bus, note(t, CLIENT, bToken, bNote));
            JsonNode b1Usage = usageOf(topics, b1);
            assertThat(b1Usage.path("tenant").asText()).isEqualTo(B);
            assertThat(b1Usage.path("thread").asText()).isEqualTo(t);
            assertThat(promptWith(bNote)).doesNotContain(aSecret).doesNotContain(aSecond);

            // B asks A's exact question on T2: a miss, the provider is asked again, B pays.
            String bq = send(topics.bus, question(t2, bToken, question));
            JsonNode bqUsage = usageOf(topics, bq);
            assertThat(bqUsage.path("cacheHit").asBoolean()).isFalse();
            assertThat(bqUsage.path("totalTokens").asInt()).isPositive();
            assertThat(bqUsage.path("tenant").asText()).isEqualTo(B);
            assertThat(promptsWith(question)).hasSize(2);

            // B tries to pass for A: A's stamp copied, a stamp made up, tokens of its own secret
            // that claim A, no token, a sender its token does not allow.
            String aStamp = stampOfAnswerTo(topics.bus, aSecret);
            String forged = "B-FORGED-" + nonce;
            Map<String, String> forgeries = new TreeMap<>();
            forgeries.put(
                    send(topics.bus, note(t, CLIENT, bToken + aStamp, forged)), "copied-stamp");
            forgeries.put(
                    send(topics.bus, note(t, CLIENT, bToken + madeUpStamp(A), forged)),
                    "made-up-stamp");
            forgeries.put(
                    send(
                            topics.bus,
                            note(
                                    t,
                                    CLIENT,
                                    tokens.element(tokens.sign(B, null, A, CLIENT)),
                                    forged)),
                    "b-secret-claims-a");
            forgeries.put(
                    send(
                            topics.bus,
                            note(t, CLIENT, tokens.element(tokens.sign(B, B, A, CLIENT)), forged)),
                    "b-kid-claims-a");
            forgeries.put(send(topics.bus, note(t, CLIENT, "", forged)), "no-token");
            forgeries.put(send(topics.bus, note(t, "notes", bToken, forged)), "sender-not-allowed");
            Map<String, ConsumerRecord<byte[], byte[]>> dead =
                    deadLettersOf(topics, forgeries.keySet());
            Map<String, String> reasons = new TreeMap<>();
            dead.forEach(
                    (input, r) ->
                            reasons.put(
                                    forgeries.get(input),
                                    header(r, DeadLetterSerializer.REASON_HEADER)));
            assertThat(reasons)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "copied-stamp", "forged-tenant",
                                    "made-up-stamp", "forged-tenant",
                                    "b-secret-claims-a", "token-signature",
                                    "b-kid-claims-a", "token-signature",
                                    "no-token", "token-missing",
                                    "sender-not-allowed", "sender-not-allowed"));
            assertThat(dead.values())
                    .allSatisfy(
                            r ->
                                    assertThat(header(r, DeadLetterSerializer.TENANT_HEADER))
                                            .isIn(null, B));

            // A's thread is A's alone: its next turn sees its own history and nothing of B's.
            String aThird = "A-THIRD-" + nonce;
            String a3 = send(topics.bus, note(t, CLIENT, aToken, aThird));
            assertThat(usageOf(topics, a3).path("tenant").asText()).isEqualTo(A);
            assertThat(promptWith(aThird))
                    .contains(aSecret)
                    .contains(aSecond)
                    .doesNotContain(bNote)
                    .doesNotContain(forged);

            assertUsageTenants(topics, Map.of(a1, A, a2, A, aq1, A, aq2, A, a3, A, b1, B, bq, B));
            assertAnswersStamped(topics.bus, Map.of(aSecret, A, aThird, A, bNote, B), aSecret);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldWriteEachTenantsAnswersToItsOwnTopicInTopicMode() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "iso-" + suffix + ".bus.";
        Topics topics =
                new Topics(
                        "iso-" + suffix + "-fallback",
                        "iso-" + suffix + "-usage",
                        "iso-" + suffix + "-dead");
        broker.createTopics(2, prefix + A, prefix + B, topics.usage, topics.deadLetters);
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        String aSecret = "A-SECRET-" + nonce;
        String bNote = "B-NOTE-" + nonce;
        String t = UUID.randomUUID().toString();

        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOPIC);
        conf.set(AgentStreamOptions.BUS_TOPIC_TEMPLATE, prefix + "{tenant}");
        conf.set(AgentStreamOptions.BUS_TOPIC, topics.bus);
        JobClient job = startJob(topics, conf);
        try {
            String a1 = send(prefix + A, note(t, CLIENT, "", aSecret));
            String b1 = send(prefix + B, note(t, CLIENT, "", bNote));
            assertThat(usageOf(topics, a1).path("tenant").asText()).isEqualTo(A);
            assertThat(usageOf(topics, b1).path("tenant").asText()).isEqualTo(B);
            assertThat(promptWith(bNote)).doesNotContain(aSecret);
            assertThat(promptWith(aSecret)).doesNotContain(bNote);

            List<Envelope> inA = answersOn(prefix + A, 1);
            List<Envelope> inB = answersOn(prefix + B, 1);
            assertThat(inA).hasSize(1).allSatisfy(e -> assertThat(stampOf(e)).isEqualTo(A));
            assertThat(inA.get(0).payloadXml).contains(aSecret).doesNotContain(bNote);
            assertThat(inB).hasSize(1).allSatisfy(e -> assertThat(stampOf(e)).isEqualTo(B));
            assertThat(inB.get(0).payloadXml).contains(bNote).doesNotContain(aSecret);

            // A's answer, stamped for A, written to B's topic: the stamp names another tenant.
            byte[] copied = answerBytesOn(prefix + A, aSecret);
            String replayed = bus.sendAll(prefix + B, List.of(copied), MAX_RECORD).get(0);
            assertThat(
                            header(
                                    deadLettersOf(topics, List.of(replayed)).get(replayed),
                                    DeadLetterSerializer.REASON_HEADER))
                    .isEqualTo("forged-tenant");
            assertUsageTenants(topics, Map.of(a1, A, b1, B));
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ the checks

    /** Every usage record belongs to one of the inputs, under that input's tenant. */
    private static void assertUsageTenants(Topics topics, Map<String, String> tenantOfInput)
            throws Exception {
        Map<String, String> actual = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : bus.readAll(topics.usage, WAIT)) {
            JsonNode u = JSON.readTree(r.value());
            String previous =
                    actual.put(u.path("inputEnvelopeId").asText(), u.path("tenant").asText());
            assertThat(previous).as("a second usage record for one input").isNull();
        }
        assertThat(actual).isEqualTo(new TreeMap<>(tenantOfInput));
    }

    /**
     * The job's answers that quote each text carry the stamp of the tenant given for it; none of
     * another tenant's quotes {@code secret}.
     */
    private static void assertAnswersStamped(
            String topic, Map<String, String> tenantOfText, String secret) {
        List<Envelope> answers = answersOn(topic, tenantOfText.size());
        tenantOfText.forEach(
                (text, tenant) ->
                        assertThat(answers)
                                .filteredOn(e -> e.payloadXml.contains(text))
                                .isNotEmpty()
                                .allSatisfy(e -> assertThat(stampOf(e)).isEqualTo(tenant)));
        String owner = tenantOfText.get(secret);
        assertThat(answers)
                .filteredOn(e -> !owner.equals(stampOf(e)))
                .allSatisfy(e -> assertThat(e.payloadXml).doesNotContain(secret));
    }

    // ------------------------------------------------------------------ helpers

    private record Topics(String bus, String usage, String deadLetters) {
        static Topics create(String name) {
            String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
            Topics t = new Topics("iso-bus-" + suffix, "iso-usage-" + suffix, "iso-dead-" + suffix);
            broker.createTopics(2, t.bus, t.usage, t.deadLetters);
            return t;
        }
    }

    private static JobClient startJob(Topics topics, Configuration extra) throws Exception {
        Path organismFile = tmp.resolve("desk-" + topics.usage + ".yaml");
        Files.writeString(organismFile, ORGANISM);
        Configuration conf = AgentStreamJob.withDefaults(extra);
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.USAGE_TOPIC, topics.usage);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, topics.deadLetters);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + topics.usage);
        conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(300);
        env.setParallelism(2);
        AgentStreamGraph.build(
                env,
                OrganismLoader.load(organismFile),
                conf,
                KafkaIo.from(conf, "iso-" + topics.usage));
        return env.executeAsync("iso-" + topics.usage);
    }

    /** Notes to a plain agent; questions to one whose answers are cached. */
    private static final String ORGANISM =
            String.join(
                    "\n",
                    "organism:",
                    "  name: two-tenants",
                    "llm:",
                    "  backends:",
                    "    - provider: openai",
                    "      model: sim-1",
                    "listeners:",
                    "  - name: notes",
                    "    payload_class: desk.Note",
                    "    description: Takes notes and answers in words",
                    "    agent: true",
                    "    prompt: Answer briefly.",
                    "  - name: oracle",
                    "    payload_class: desk.Question",
                    "    description: Answers questions; the same question, the same answer",
                    "    agent: true",
                    "    cache: true",
                    "    prompt: Answer the question.",
                    "");

    private static String note(String thread, String from, String extensions, String text) {
        return envelope(
                thread, from, "notes", extensions, "<Note><text>" + text + "</text></Note>");
    }

    private static String question(String thread, String extensions, String text) {
        return envelope(
                thread,
                CLIENT,
                "oracle",
                extensions,
                "<Question><text>" + text + "</text></Question>");
    }

    private static String envelope(
            String thread, String from, String to, String extensions, String payload) {
        return "<message xmlns=\""
                + Envelope.NAMESPACE
                + "\"><meta><from>"
                + from
                + "</from><to>"
                + to
                + "</to><thread>"
                + thread
                + "</thread>"
                + extensions
                + "</meta>"
                + payload
                + "</message>";
    }

    private static String madeUpStamp(String tenant) {
        return TENANT_XML.writeStamp(tenant, "bm90LWEtc2lnbmF0dXJlLW9mLXRoZS1qb2I");
    }

    /** Writes one envelope; returns its coordinates. */
    private static String send(String topic, String xml) throws Exception {
        return bus.sendAll(topic, List.of(xml.getBytes(StandardCharsets.UTF_8)), MAX_RECORD).get(0);
    }

    private static JsonNode usageOf(Topics topics, String input) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r :
                bus.readUntil(
                        topics.usage,
                        rs -> rs.stream().anyMatch(r -> input.equals(usageInput(r))),
                        WAIT)) {
            if (input.equals(usageInput(r))) {
                return JSON.readTree(r.value());
            }
        }
        throw new AssertionError("no usage record for the input at " + input);
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> deadLettersOf(
            Topics topics, Collection<String> inputs) {
        Map<String, ConsumerRecord<byte[], byte[]>> found = new TreeMap<>();
        bus.readUntil(
                topics.deadLetters,
                rs -> {
                    found.clear();
                    for (ConsumerRecord<byte[], byte[]> r : rs) {
                        String source = header(r, DeadLetterSerializer.SOURCE_HEADER);
                        if (inputs.contains(source)) {
                            found.put(source, r);
                        }
                    }
                    return found.size() == inputs.size();
                },
                WAIT);
        assertThat(found.keySet())
                .as("dead letters of the inputs")
                .containsExactlyInAnyOrderElementsOf(inputs);
        return found;
    }

    /** The one prompt the simulator was sent that holds {@code marker}. */
    private static String promptWith(String marker) {
        List<String> prompts = promptsWith(marker);
        assertThat(prompts).as("prompts holding %s", marker).hasSize(1);
        return prompts.get(0);
    }

    private static List<String> promptsWith(String marker) {
        return simulator.recordedRequests().stream()
                .map(RecordedRequest::body)
                .filter(body -> body.contains(marker))
                .toList();
    }

    /** The job's answers on {@code topic} (envelopes from an agent), once {@code count} are in. */
    private static List<Envelope> answersOn(String topic, int count) {
        List<Envelope> answers = new ArrayList<>();
        bus.readUntil(
                topic,
                rs -> {
                    answers.clear();
                    for (ConsumerRecord<byte[], byte[]> r : rs) {
                        Envelope e = decodeOrNull(r.value());
                        if (e != null && List.of("notes", "oracle").contains(e.from)) {
                            answers.add(e);
                        }
                    }
                    return answers.size() >= count;
                },
                WAIT);
        return answers;
    }

    /** The bytes of the job's answer on {@code topic} that quotes {@code text}. */
    private static byte[] answerBytesOn(String topic, String text) {
        for (ConsumerRecord<byte[], byte[]> r : bus.readAll(topic, WAIT)) {
            Envelope e = decodeOrNull(r.value());
            if (e != null && "notes".equals(e.from) && e.payloadXml.contains(text)) {
                return r.value();
            }
        }
        throw new AssertionError("no answer quoting " + text + " on " + topic);
    }

    /** The stamp element of the job's answer that quotes {@code text}, as it is on the bus. */
    private static String stampOfAnswerTo(String topic, String text) {
        Envelope e = decodeOrNull(answerBytesOn(topic, text));
        TenantXml.Stamp stamp = TENANT_XML.read(e.metaExtensions).stamps().get(0);
        return TENANT_XML.writeStamp(stamp.tenant(), stamp.sig());
    }

    private static String stampOf(Envelope e) {
        List<TenantXml.Stamp> stamps = TENANT_XML.read(e.metaExtensions).stamps();
        return stamps.size() == 1 ? stamps.get(0).tenant() : "stamps: " + stamps;
    }

    private static Envelope decodeOrNull(byte[] value) {
        try {
            return CODEC.decode(value);
        } catch (EnvelopeException notAnEnvelope) {
            return null;
        }
    }

    private static String usageInput(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value()).path("inputEnvelopeId").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a usage record that is not JSON", e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
