package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.billing.StripeExport;
import dev.agentstream.devtools.dynamodb.Dynalite;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.dynamodb.BillingTables;
import dev.agentstream.job.dynamodb.DynamoDbIo;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.billing.UsageWindows;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing reconciles after failures: the job runs with its billing stages against a Kafka broker
 * process and dynalite, loses a task manager while turns flow, and then the DynamoDB totals of
 * every tenant and window equal the sums of the committed usage records, the thread index counts
 * every thread's turns once, the transcripts hold every committed envelope once, and the Stripe
 * export of the same topic has one valid meter event per billed turn.
 */
class BillingReconciliationITCase extends LocalServicesTestBase {

    private static final int THREADS = 16;
    private static final int PER_THREAD = 4;
    private static final int INPUTS = THREADS * PER_THREAD;

    /** echo calls helper, helper answers, echo reports: three turns per input. */
    private static final int TURNS = 3 * INPUTS;

    private static final String TENANT = "acme";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Dynalite dynalite;
    private static DynamoDbAsyncClient dynamo;

    @BeforeAll
    static void startDynalite() throws Exception {
        dynalite = Dynalite.start(tmp.resolve("dynalite"), Dynalite.defaultInstallDir());
        dynamo = dynalite.clientSettings().create();
    }

    @AfterAll
    static void stopDynalite() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Test
    void shouldTotalEveryCommittedUsageRecordOnceAcrossATaskManagerFailure(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String busTopic = "bill-bus-" + suffix;
        String usageTopic = "bill-usage-" + suffix;
        broker.createTopics(2, busTopic, usageTopic, "bill-dead-" + suffix);
        BillingTables tables =
                new BillingTables("totals-" + suffix, "threads-" + suffix, "transcripts-" + suffix);
        dynalite.createTables(tables);
        List<String> threads =
                IntStream.range(0, THREADS).mapToObj(i -> UUID.randomUUID().toString()).toList();

        JobClient job = startJob(busTopic, usageTopic, "bill-dead-" + suffix, tables);
        try {
            send(busTopic, threads, 0, PER_THREAD / 2);
            committed(usageTopic, TURNS / 6);

            // A task manager lost while turns flow and totals are being written.
            cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
            cluster.startTaskManager();
            send(busTopic, threads, PER_THREAD / 2, PER_THREAD);

            List<JsonNode> usage = committed(usageTopic, TURNS);
            assertThat(usage).extracting(u -> u.path("usageId").asText()).doesNotHaveDuplicates();
            Map<String, Totals> expected = expectedTotals(usage);

            Map<String, Totals> actual = awaitTotals(tables.totals(), expected);
            assertThat(actual).as("DynamoDB totals by tenant and window").isEqualTo(expected);
            assertThat(actual.keySet()).allSatisfy(k -> assertThat(k).startsWith(TENANT + " "));

            assertThreadIndex(tables.threads(), usage);
            assertTranscripts(tables.transcripts(), busTopic);
            assertExport(usageTopic, usage);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ the checks

    /** What the totals table must hold for one tenant and window. */
    record Totals(
            long turns,
            long calls,
            long inputTokens,
            long outputTokens,
            long totalTokens,
            long cacheRead,
            long cacheCreation,
            BigDecimal cost) {

        Totals plus(Totals o) {
            return new Totals(
                    turns + o.turns,
                    calls + o.calls,
                    inputTokens + o.inputTokens,
                    outputTokens + o.outputTokens,
                    totalTokens + o.totalTokens,
                    cacheRead + o.cacheRead,
                    cacheCreation + o.cacheCreation,
                    cost.add(o.cost).stripTrailingZeros());
        }
    }

    private static Map<String, Totals> expectedTotals(List<JsonNode> usage) {
        Map<String, Totals> expected = new TreeMap<>();
        for (JsonNode u : usage) {
            String window =
                    Instant.ofEpochMilli(UsageWindows.start(u.path("timestamp").asLong()))
                            .toString();
            Totals one =
                    new Totals(
                            1,
                            u.path("attempts").asLong() > 0 ? 1 : 0,
                            u.path("inputTokens").asLong(),
                            u.path("outputTokens").asLong(),
                            u.path("totalTokens").asLong(),
                            u.path("cacheReadInputTokens").asLong(),
                            u.path("cacheCreationInputTokens").asLong(),
                            new BigDecimal(u.path("cost").asText()));
            expected.merge(u.path("tenant").asText() + " " + window, one, Totals::plus);
        }
        return expected;
    }

    /** The totals table by tenant and window, corrections added in, once it matches or at last. */
    private static Map<String, Totals> awaitTotals(String table, Map<String, Totals> expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Totals> actual;
        do {
            actual = new TreeMap<>();
            for (Map<String, AttributeValue> item : scan(table)) {
                String window = item.get("window").s().split("#", 2)[0];
                actual.merge(item.get("tenant").s() + " " + window, totals(item), Totals::plus);
            }
            if (actual.equals(expected)) {
                return actual;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return actual;
    }

    private static Totals totals(Map<String, AttributeValue> item) {
        return new Totals(
                n(item, "turns"),
                n(item, "calls"),
                n(item, "inputTokens"),
                n(item, "outputTokens"),
                n(item, "totalTokens"),
                n(item, "cacheReadInputTokens"),
                n(item, "cacheCreationInputTokens"),
                new BigDecimal(item.get("cost").n()).stripTrailingZeros());
    }

    private static void assertThreadIndex(String table, List<JsonNode> usage)
            throws InterruptedException {
        Map<String, Long> turns = new TreeMap<>();
        usage.forEach(u -> turns.merge(u.path("thread").asText(), 1L, Long::sum));
        Map<String, Long> indexed = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            indexed.clear();
            for (Map<String, AttributeValue> item : scan(table)) {
                indexed.put(item.get("thread").s(), n(item, "turns"));
                assertThat(item.get("tenant").s()).isEqualTo(TENANT);
                assertThat(n(item, "ttl")).isGreaterThan(n(item, "lastSeen") / 1000);
            }
            if (indexed.equals(turns)) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        assertThat(indexed).as("turns per thread in the thread index").isEqualTo(turns);
    }

    private static void assertTranscripts(String table, String busTopic)
            throws InterruptedException {
        Map<String, Long> onTheBus = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                bus.readUntil(busTopic, rs -> false, Duration.ofSeconds(2), true)) {
            onTheBus.merge(BusClient.text(r.key()), 1L, Long::sum);
        }
        Map<String, Long> kept = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            kept.clear();
            Set<String> slots = new HashSet<>();
            for (Map<String, AttributeValue> item : scan(table)) {
                kept.merge(item.get("thread").s(), 1L, Long::sum);
                assertThat(slots.add(item.get("thread").s() + item.get("slot").s())).isTrue();
            }
            if (kept.equals(onTheBus)) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        assertThat(kept).as("transcript items per thread").isEqualTo(onTheBus);
    }

    private static void assertExport(String usageTopic, List<JsonNode> usage) throws Exception {
        Path out = tmp.resolve("meter-events-" + usageTopic + ".jsonl");
        StripeExport export = new StripeExport();
        int exit =
                new CommandLine(export)
                        .execute(
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--topic",
                                usageTopic,
                                "--event-name",
                                "agentstream_tokens",
                                "--output",
                                out.toString());

        assertThat(exit).isZero();
        List<String> lines = Files.readAllLines(out);
        long billed = usage.stream().filter(u -> u.path("totalTokens").asLong() > 0).count();
        long tokens = usage.stream().mapToLong(u -> u.path("totalTokens").asLong()).sum();
        assertThat(lines).hasSize((int) billed);
        Set<String> ids = new HashSet<>();
        long value = 0;
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertMeterEvent(event);
            assertThat(ids.add(event.get("identifier").asText())).isTrue();
            assertThat(event.at("/payload/stripe_customer_id").asText()).isEqualTo(TENANT);
            value += Long.parseLong(event.at("/payload/value").asText());
        }
        assertThat(value).isEqualTo(tokens);
    }

    /**
     * The shape of a Stripe meter event (v1 billing/meter_events): event_name a non-empty string,
     * identifier a string of at most 100 characters, timestamp whole epoch seconds within the last
     * 35 days, payload an object of strings with the customer and a whole-number value.
     */
    static void assertMeterEvent(JsonNode event) {
        assertThat(event.isObject()).isTrue();
        assertThat(fieldNames(event))
                .containsExactlyInAnyOrder("event_name", "identifier", "timestamp", "payload");
        assertThat(event.get("event_name").isTextual()).isTrue();
        assertThat(event.get("event_name").asText()).isNotBlank().hasSizeLessThanOrEqualTo(100);
        assertThat(event.get("identifier").isTextual()).isTrue();
        assertThat(event.get("identifier").asText()).isNotBlank().hasSizeLessThanOrEqualTo(100);
        assertThat(event.get("timestamp").isIntegralNumber()).isTrue();
        long now = Instant.now().getEpochSecond();
        assertThat(event.get("timestamp").asLong()).isBetween(now - 35L * 86_400, now + 300);
        JsonNode payload = event.get("payload");
        assertThat(payload.isObject()).isTrue();
        assertThat(fieldNames(payload)).containsExactlyInAnyOrder("stripe_customer_id", "value");
        assertThat(payload.get("stripe_customer_id").isTextual()).isTrue();
        assertThat(payload.get("stripe_customer_id").asText()).isNotBlank();
        assertThat(payload.get("value").isTextual()).isTrue();
        assertThat(payload.get("value").asText()).matches("[0-9]+");
    }

    // ------------------------------------------------------------------ helpers

    private JobClient startJob(
            String busTopic, String usageTopic, String deadTopic, BillingTables tables)
            throws Exception {
        Path organismFile = tmp.resolve("echo-organism.yaml");
        Files.writeString(organismFile, echoOrganism(simulator.baseUrl()));
        Path prices = tmp.resolve("prices-test.yaml");
        Files.writeString(
                prices,
                "version: test-1\ncurrency: USD\nmodels:\n  sim-1:\n    input: \"0.15\"\n"
                        + "    output: \"0.60\"\n    cache-read: \"0.075\"\n"
                        + "    cache-write: \"0.15\"\n");
        Organism organism = OrganismLoader.load(organismFile);
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, busTopic);
        conf.set(AgentStreamOptions.USAGE_TOPIC, usageTopic);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, deadTopic);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + busTopic);
        conf.set(AgentStreamOptions.USAGE_GROUP_ID, "billing-" + busTopic);
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        conf.set(AgentStreamOptions.TENANT_DEFAULT, TENANT);
        conf.set(AgentStreamOptions.BILLING_PRICE_TABLE, prices.toString());
        conf.set(AgentStreamOptions.BILLING_FLUSH_INTERVAL, Duration.ofMillis(500));
        conf.set(AgentStreamOptions.BILLING_MAX_OUT_OF_ORDERNESS, Duration.ofSeconds(5));
        conf.set(AgentStreamOptions.BILLING_IDLE_TIMEOUT, Duration.ofSeconds(5));
        conf.set(AgentStreamOptions.DYNAMODB_ENABLED, true);
        conf.set(AgentStreamOptions.DYNAMODB_ENDPOINT, dynalite.endpoint());
        conf.set(AgentStreamOptions.DYNAMODB_TOTALS_TABLE, tables.totals());
        conf.set(AgentStreamOptions.DYNAMODB_THREADS_TABLE, tables.threads());
        conf.set(AgentStreamOptions.DYNAMODB_TRANSCRIPTS_TABLE, tables.transcripts());
        conf.set(AgentStreamOptions.TRANSCRIPTS_ENABLED, true);
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "20");
        conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(1_000);
        env.setParallelism(2);
        AgentStreamGraph.build(
                env, organism, conf, KafkaIo.from(conf, "bill-" + busTopic), DynamoDbIo.from(conf));
        return env.executeAsync("bill-" + busTopic);
    }

    private static void send(String topic, List<String> threads, int from, int until)
            throws Exception {
        for (int n = from; n < until; n++) {
            for (String thread : threads) {
                bus.send(topic, thread, ping(thread, n));
            }
        }
    }

    private static List<JsonNode> committed(String topic, int count) throws Exception {
        List<JsonNode> usage = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                bus.readUntil(topic, rs -> rs.size() >= count, WAIT, true)) {
            usage.add(JSON.readTree(r.value()));
        }
        assertThat(usage).as("committed usage records").hasSizeGreaterThanOrEqualTo(count);
        return usage;
    }

    private static List<Map<String, AttributeValue>> scan(String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder request = ScanRequest.builder().tableName(table);
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            ScanResponse page = dynamo.scan(request.build()).join();
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static long n(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? 0 : Long.parseLong(v.n());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String ping(String thread, int n) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>bill-client</from><to>echo</to><thread>"
                + thread
                + "</thread></meta><Ping><n>"
                + n
                + "</n></Ping></message>";
    }

    private static String echoOrganism(String baseUrl) {
        return String.join(
                "\n",
                "organism:",
                "  name: billing-test",
                "llm:",
                "  backends:",
                "    - provider: openai",
                "      base_url: " + baseUrl,
                "      model: sim-1",
                "listeners:",
                "  - name: echo",
                "    payload_class: bill.Ping",
                "    description: Asks the helper about every ping, then answers in words",
                "    agent: true",
                "    peers: [helper]",
                "    prompt: Ask the helper, then answer briefly.",
                "  - name: helper",
                "    payload_class: bill.Question",
                "    description: Answers the questions of echo",
                "    agent: true",
                "    prompt: Answer briefly.",
                "");
    }
}
