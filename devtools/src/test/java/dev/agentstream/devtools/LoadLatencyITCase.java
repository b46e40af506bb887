package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.load.FreshThreads;
import dev.agentstream.devtools.load.LatencyConsumer;
import dev.agentstream.devtools.load.LatencySnapshot;
import dev.agentstream.devtools.load.LoadGenerator;
import dev.agentstream.devtools.load.LoadPlan;
import dev.agentstream.devtools.load.TokenSettings;
import dev.agentstream.devtools.tenant.TenantTokens;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.tenant.TenantSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load generator against the whole job (MiniCluster, Kafka, the simulator) in token mode: every
 * generated input, prefill included, is taken (no dead letter), every agent envelope is answered
 * once, and the latency consumer matches each answer's turn-end to its input; duplicate threads hit
 * the response cache.
 */
class LoadLatencyITCase extends LocalServicesTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUS = "load-bus";
    private static final String USAGE = "load-usage";
    private static final String DEAD = "load-dead";
    private static final int COUNT = 24;

    @Test
    void shouldMatchEveryAnswerToItsInput() throws Exception {
        broker.createTopics(2, BUS, USAGE, DEAD);
        TenantTokens tokens = new TenantTokens(tmp.resolve("load-secrets.yaml"), "t0", "t1");
        JobClient job = startJob(tokens);
        LoadPlan plan =
                LoadPlan.builder()
                        .bootstrapServers(broker.bootstrapServers())
                        .topic(BUS)
                        .tokens(
                                new TokenSettings(
                                        tokens.secretsFile(),
                                        TenantTokens.ISSUER,
                                        TenantTokens.AUDIENCE,
                                        Duration.ofMinutes(10)))
                        .tenants(2)
                        .to("summarizer")
                        .payloadElement("Brief")
                        .payloadBytes(120)
                        .prefill(2, "archivist")
                        .rate(40)
                        .count(COUNT)
                        .threads(4)
                        .threadLength(2)
                        .duplicateFraction(0.3)
                        .seed(3)
                        .build();
        try (LatencyConsumer latency =
                        LatencyConsumer.start(
                                broker.bootstrapServers(),
                                plan.topics(),
                                LatencyConsumer.Isolation.READ_COMMITTED,
                                "console");
                LoadGenerator load = LoadGenerator.start(plan)) {
            assertThat(load.awaitDone(Duration.ofSeconds(20))).isTrue();
            assertThat(latency.awaitAnswered(COUNT, Duration.ofSeconds(60))).isTrue();

            LatencySnapshot s = latency.snapshot();
            assertThat(load.sent()).isEqualTo(COUNT);
            assertThat(load.prefillSent()).isEqualTo(COUNT); // 12 fresh threads, 2 each
            assertThat(load.errors()).isZero();
            assertThat(s.inputs()).isEqualTo(COUNT);
            assertThat(s.contextInputs()).isEqualTo(COUNT);
            assertThat(s.answered()).isEqualTo(COUNT);
            assertThat(s.answeredMoreThanOnce()).isZero();
            assertThat(s.unknownInput()).isZero();
            assertThat(s.errorAnswers()).isZero();
            assertThat(s.histogram().getTotalCount()).isEqualTo(COUNT);
            assertThat(s.histogram().getMinValue()).isPositive();
        } finally {
            job.cancel().get();
        }

        List<JsonNode> usage = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                bus.readUntil(USAGE, rs -> rs.size() >= COUNT, Duration.ofSeconds(30))) {
            usage.add(JSON.readTree(r.value()));
        }
        Map<String, Integer> byTenant = new TreeMap<>();
        usage.forEach(u -> byTenant.merge(u.get("tenant").asText(), 1, Integer::sum));
        long cacheHits = usage.stream().filter(u -> u.get("cacheHit").asBoolean()).count();
        assertThat(usage).hasSize(COUNT);
        assertThat(byTenant).containsOnlyKeys("t0", "t1");
        assertThat(cacheHits).isGreaterThanOrEqualTo(duplicateThreads(plan, COUNT / 2));
        assertThat(bus.readAll(DEAD, Duration.ofSeconds(10))).isEmpty();
    }

    private static long duplicateThreads(LoadPlan plan, int freshThreads) {
        FreshThreads threads = new FreshThreads(plan);
        long duplicates = 0;
        for (int i = 0; i < freshThreads; i++) {
            duplicates += threads.next().duplicate() ? 1 : 0;
        }
        assertThat(duplicates).as("duplicate threads of seed 3").isPositive();
        return duplicates;
    }

    private static JobClient startJob(TenantTokens tokens) throws Exception {
        Path organismFile = Files.writeString(tmp.resolve("load-organism.yaml"), ORGANISM);
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, BUS);
        conf.set(AgentStreamOptions.USAGE_TOPIC, USAGE);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, DEAD);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + BUS);
        conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOKEN);
        conf.set(AgentStreamOptions.TENANT_SECRETS_FILE, tokens.secretsFile().toString());
        conf.set(AgentStreamOptions.TENANT_TOKEN_ISSUER, TenantTokens.ISSUER);
        conf.set(AgentStreamOptions.TENANT_TOKEN_AUDIENCE, TenantTokens.AUDIENCE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(2);
        AgentStreamGraph.build(
                env, OrganismLoader.load(organismFile), conf, KafkaIo.from(conf, "it-load"));
        return env.executeAsync("it-load");
    }

    /** One caching agent without peers, which answers the client, and a listener outside. */
    private static final String ORGANISM =
            String.join(
                    "\n",
                    "organism:",
                    "  name: load-desk",
                    "llm:",
                    "  backends:",
                    "    - provider: openai",
                    "      model: sim-1",
                    "listeners:",
                    "  - name: summarizer",
                    "    payload_class: load.Brief",
                    "    description: Summarizes a brief in one line",
                    "    agent: true",
                    "    cache: true",
                    "    prompt: Summarize.",
                    "  - name: archivist",
                    "    payload_class: load.Note",
                    "    description: Files notes outside the job",
                    "    agent: false",
                    "");
}
