package dev.agentstream.devtools;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.control.EraseTenantCommand;
import dev.agentstream.devtools.dynamodb.Dynalite;
import dev.agentstream.devtools.state.SavepointContents;
import dev.agentstream.devtools.state.SavepointInspector;
import dev.agentstream.devtools.state.TenantEraser;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.OperatorIds;
import dev.agentstream.job.StageSettings;
import dev.agentstream.job.dynamodb.BillingTables;
import dev.agentstream.job.dynamodb.DynamoDbIo;
import dev.agentstream.job.kafka.DeadLetterSerializer;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.billing.BillingKeys;
import dev.agentstream.udfs.billing.ThreadIndexFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.control.ControlSigner;
import dev.agentstream.udfs.control.ControlXml;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.quota.QuotaKeys;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.tenant.TenantSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant erased through the control topic: two tenants hold threads (calls on subthreads, cached
 * answers, billing state, quota reservations); a signed erase command for one of them comes back as
 * a receipt with what every stage cleared, the tenant's thread index items leave DynamoDB, commands
 * that are not signed go to the dead letters, and a savepoint taken after the receipt, read with
 * the State Processor API, holds no key of the erased tenant in any keyed stage while the other's
 * are there.
 */
class TenantErasureITCase extends LocalServicesTestBase {

    private static final String ERASED = "acme";
    private static final String KEPT = "bravo";
    private static final int THREADS = 2;

    /** echo calls helper, helper answers, echo answers: three turns per input. */
    private static final int TURNS = 3 * THREADS * 2;

    private static final String CONTROL_KEY = "devtools-tests-control-key-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(60);
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
    void shouldEraseOneTenantFromEveryKeyedStageAndFromTheSavepointAfterItsReceipt()
            throws Exception {
        Topics t = new Topics(UUID.randomUUID().toString().substring(0, 8));
        broker.createTopics(2, t.bus(ERASED), t.bus(KEPT), t.usage, t.dead);
        broker.createTopics(1, t.control, t.receipts);
        BillingTables tables =
                new BillingTables("totals-" + t.id, "threads-" + t.id, "transcripts-" + t.id);
        dynalite.createTables(tables);
        Configuration conf = conf(t, tables);

        JobClient job = start(conf, t);
        boolean stopped = false;
        try {
            for (String tenant : List.of(ERASED, KEPT)) {
                for (int i = 0; i < THREADS; i++) {
                    String thread = UUID.randomUUID().toString();
                    bus.send(t.bus(tenant), thread, ping(thread, tenant + "-" + i));
                }
            }
            awaitCommitted(t.usage, TURNS);
            // Erasure clears what a tenant holds when it arrives: let every answer come back
            // and every usage record be indexed first, so that nothing is in flight.
            awaitConsumed(conf.get(AgentStreamOptions.GROUP_ID), t.bus(ERASED), t.bus(KEPT));
            awaitConsumed(conf.get(AgentStreamOptions.USAGE_GROUP_ID), t.usage);
            assertThat(awaitItems(tables.threads(), ERASED, n -> n > 0)).isPositive();
            long transcript = awaitItems(tables.transcripts(), ERASED, n -> n >= 3L * THREADS);

            // Commands not signed with the control key are refused, and say why. (They also show
            // that the control source, which starts at the topic's end, is reading by now.)
            bus.send(t.control, null, unsignedErase(ERASED));
            bus.send(t.control, null, signedErase(ERASED, "another-key-0123456789abcdef-0123"));
            // Keyed by nothing, the two may land on different partitions: any order.
            assertThat(deadLetterReasons(t.dead))
                    .containsExactlyInAnyOrder("control-unsigned", "control-signature");
            String commandId = UUID.randomUUID().toString();
            int sent =
                    new CommandLine(new EraseTenantCommand())
                            .execute(
                                    "--bootstrap-servers",
                                    broker.bootstrapServers(),
                                    "--topic",
                                    t.control,
                                    "--tenant",
                                    ERASED,
                                    "--key-file",
                                    tmp.resolve("control.key").toString(),
                                    "--command-id",
                                    commandId);
            assertThat(sent).isZero();

            JsonNode receipt = awaitReceipt(t.receipts);
            assertThat(receipt.path("commandId").asText()).isEqualTo(commandId);
            assertThat(receipt.path("tenant").asText()).isEqualTo(ERASED);
            assertThat(receipt.path("cleanCheckpoint").asLong()).isPositive();
            assertThat(receipt.path("problems")).isEmpty();
            assertThat(receipt.path("stages").toString())
                    .contains(
                            "thread-context/2",
                            "conversation-budget/2",
                            "llm-call/2",
                            "quota/1",
                            "usage-totals/2",
                            "thread-index/2",
                            "dynamodb-erasure/1");
            JsonNode counts = receipt.path("counts");
            // Each input's thread and the subthread of its call, each with its envelopes.
            assertThat(counts.path("thread-contexts").asLong()).isEqualTo(2L * THREADS);
            assertThat(counts.path("context-slots").asLong()).isGreaterThan(2L * THREADS);
            assertThat(counts.path("registry-links").asLong()).isEqualTo(THREADS);
            assertThat(counts.path("conversation-budgets").asLong()).isEqualTo(THREADS);
            assertThat(counts.path("cache-entries").asLong()).isEqualTo(THREADS);
            assertThat(counts.path("usage-records").asLong()).isEqualTo(TURNS / 2);
            // Its one quota key: every turn reserved in the window, none waiting.
            assertThat(counts.path("quota-tenants").asLong()).isEqualTo(1);
            assertThat(counts.path("quota-reservations").asLong()).isEqualTo(TURNS / 2);
            assertThat(counts.path("quota-turns-waiting").asLong()).isZero();
            assertThat(counts.path("thread-index-entries").asLong()).isEqualTo(2L * THREADS);
            assertThat(counts.path("dynamodb-transcript-items").asLong()).isEqualTo(transcript);
            assertThat(counts.has("dynamodb-thread-items")).isTrue(); // those the index missed

            assertThat(deadLetterReasons(t.dead)).contains("control-unsigned", "control-signature");
            assertThat(awaitItems(tables.threads(), ERASED, n -> n == 0)).isZero();
            assertThat(awaitItems(tables.threads(), KEPT, n -> n > 0)).isEqualTo(2L * THREADS);
            assertThat(awaitItems(tables.transcripts(), ERASED, n -> n == 0)).isZero();
            assertThat(awaitItems(tables.transcripts(), KEPT, n -> n > 0)).isPositive();

            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    tmp.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
            stopped = true;

            Map<String, Set<String>> keys = keyedStateKeys(savepoint, conf);
            for (String uid : keys.keySet()) {
                assertThat(keys.get(uid))
                        .as("keys of %s in the savepoint", uid)
                        .noneMatch(k -> tenantOf(uid, k).equals(ERASED))
                        .anyMatch(k -> tenantOf(uid, k).equals(KEPT));
            }
            assertOfflineErasure(Path.of(URI.create(savepoint)), conf);
        } finally {
            if (!stopped) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------------ the savepoint

    /**
     * The state tool erases the kept tenant offline from the same savepoint, a savepoint of the job
     * with billing and the control topic on: every keyed stage, the billing ones among them, is
     * left with no key, and no DynamoDB sink buffers a write for it.
     */
    private static void assertOfflineErasure(Path savepoint, Configuration conf) throws Exception {
        Path offline = tmp.resolve("without-" + KEPT);
        TenantEraser.Erased erased = TenantEraser.erase(savepoint, KEPT, offline);

        assertThat(erased.threads()).isEqualTo(2 * THREADS);
        assertThat(erased.conversations()).isEqualTo(THREADS);
        assertThat(erased.quotas()).isOne();
        assertThat(erased.usageWindows()).isPositive();
        assertThat(erased.threadIndex()).isEqualTo(2 * THREADS);
        assertThat(keyedStateKeys(offline.toUri().toString(), conf))
                .allSatisfy((uid, keys) -> assertThat(keys).as("keys of %s", uid).isEmpty());
        SavepointContents after = SavepointInspector.read(offline);
        assertThat(after.tenants()).isEmpty();
        assertThat(after.bufferedWrites()).isEmpty();
    }

    /** Every key each keyed stage holds in the savepoint, read with the State Processor API. */
    private static Map<String, Set<String>> keyedStateKeys(String savepoint, Configuration conf)
            throws Exception {
        Map<String, StateKeys> readers =
                Map.of(
                        OperatorIds.THREAD_CONTEXT,
                        new StateKeys(
                                OperatorIds.THREAD_CONTEXT,
                                new ThreadContextFunction(
                                                null,
                                                StageSettings.contextSettings(conf),
                                                EnvelopeLimits.defaults(),
                                                null)
                                        .keyedStateDescriptors()),
                        OperatorIds.CONVERSATION_BUDGET,
                        new StateKeys(
                                OperatorIds.CONVERSATION_BUDGET,
                                new ConversationBudgetFunction(1, Duration.ofHours(1))
                                        .keyedStateDescriptors()),
                        OperatorIds.QUOTA,
                        new StateKeys(
                                OperatorIds.QUOTA,
                                new QuotaFunction(StageSettings.quotaSettings(conf))
                                        .keyedStateDescriptors()),
                        OperatorIds.USAGE_TOTALS,
                        new StateKeys(
                                OperatorIds.USAGE_TOTALS,
                                new UsageTotalsFunction(Duration.ZERO, Duration.ofSeconds(1))
                                        .keyedStateDescriptors()),
                        OperatorIds.THREAD_INDEX,
                        new StateKeys(
                                OperatorIds.THREAD_INDEX,
                                new ThreadIndexFunction(Duration.ofHours(1))
                                        .keyedStateDescriptors()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        DataStream<String> all = null;
        for (var stage : readers.entrySet()) {
            DataStream<String> keys =
                    reader.readKeyedState(
                            OperatorIdentifier.forUid(stage.getKey()),
                            stage.getValue(),
                            Types.STRING,
                            Types.STRING);
            all = all == null ? keys : all.union(keys);
        }
        Map<String, Set<String>> byStage = new HashMap<>();
        readers.keySet().forEach(uid -> byStage.put(uid, new TreeSet<>()));
        try (var found = all.executeAndCollect()) {
            found.forEachRemaining(
                    line -> {
                        String[] parts = line.split(" ", 2);
                        byStage.get(parts[0]).add(parts[1]);
                    });
        }
        return byStage;
    }

    private static String tenantOf(String uid, String key) {
        if (uid.equals(OperatorIds.QUOTA)) {
            return QuotaKeys.tenantOf(key);
        }
        return uid.equals(OperatorIds.USAGE_TOTALS) || uid.equals(OperatorIds.THREAD_INDEX)
                ? BillingKeys.tenantOf(key)
                : TenantNames.tenantOf(key);
    }

    // ------------------------------------------------------------------ the job

    /** The topics of one run. */
    private record Topics(String id, String usage, String dead, String control, String receipts) {
        Topics(String id) {
            this(
                    id,
                    "erase-usage-" + id,
                    "erase-dead-" + id,
                    "erase-control-" + id,
                    "erase-receipts-" + id);
        }

        String template() {
            return "erase-bus-" + id + ".{tenant}";
        }

        String bus(String tenant) {
            return "erase-bus-" + id + "." + tenant;
        }
    }

    private static Configuration conf(Topics t, BillingTables tables) throws Exception {
        Path organismFile = tmp.resolve("erase-organism.yaml");
        Files.writeString(organismFile, organism(simulator.baseUrl()));
        Path controlKey = tmp.resolve("control.key");
        Files.writeString(controlKey, CONTROL_KEY);
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOPIC);
        conf.set(AgentStreamOptions.BUS_TOPIC_TEMPLATE, t.template());
        conf.set(AgentStreamOptions.USAGE_TOPIC, t.usage);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, t.dead);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + t.id);
        conf.set(AgentStreamOptions.USAGE_GROUP_ID, "billing-" + t.id);
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        conf.set(AgentStreamOptions.BILLING_FLUSH_INTERVAL, Duration.ofMillis(500));
        conf.set(AgentStreamOptions.BILLING_IDLE_TIMEOUT, Duration.ofSeconds(2));
        conf.set(AgentStreamOptions.DYNAMODB_ENABLED, true);
        conf.set(AgentStreamOptions.DYNAMODB_ENDPOINT, dynalite.endpoint());
        conf.set(AgentStreamOptions.DYNAMODB_TOTALS_TABLE, tables.totals());
        conf.set(AgentStreamOptions.DYNAMODB_THREADS_TABLE, tables.threads());
        conf.set(AgentStreamOptions.DYNAMODB_TRANSCRIPTS_TABLE, tables.transcripts());
        conf.set(AgentStreamOptions.TRANSCRIPTS_ENABLED, true);
        conf.set(AgentStreamOptions.CONTROL_ENABLED, true);
        conf.set(AgentStreamOptions.CONTROL_TOPIC, t.control);
        conf.set(AgentStreamOptions.CONTROL_GROUP_ID, "control-" + t.id);
        conf.set(AgentStreamOptions.CONTROL_RECEIPTS_TOPIC, t.receipts);
        conf.set(AgentStreamOptions.CONTROL_KEY_FILE, controlKey.toString());
        // Quotas far above what the test uses, in a window longer than the test: each tenant's
        // turns stay reserved in its one quota key until the erasure.
        conf.set(AgentStreamOptions.QUOTA_TOKENS_PER_MINUTE, 10_000_000L);
        conf.set(AgentStreamOptions.QUOTA_WINDOW, Duration.ofMinutes(10));
        conf.set(AgentStreamOptions.QUOTA_RESERVATION_TTL, Duration.ofMinutes(20));
        conf.set(AgentStreamOptions.QUOTA_GROUP_ID, "quota-" + t.id);
        return conf;
    }

    private static JobClient start(Configuration conf, Topics t) throws Exception {
        Organism organism =
                OrganismLoader.load(Path.of(conf.get(AgentStreamOptions.ORGANISM_PATH)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(2);
        String name = "erase-" + t.id;
        AgentStreamGraph.build(
                env,
                organism,
                conf,
                KafkaIo.from(conf, name),
                DynamoDbIo.from(conf),
                KafkaIo.control(conf, name));
        return env.executeAsync(name);
    }

    // ------------------------------------------------------------------ commands

    private static String signedErase(String tenant, String key) {
        String commandId = UUID.randomUUID().toString();
        String issued = Instant.now().toString();
        String sig =
                new ControlSigner(key.getBytes(StandardCharsets.UTF_8))
                        .sign(ControlXml.ERASE_TENANT, tenant, commandId, "ops", issued);
        byte[] xml =
                new ControlXml(EnvelopeLimits.defaults())
                        .writeEraseTenant(commandId, "ops", tenant, issued, sig);
        return new String(xml, StandardCharsets.UTF_8);
    }

    private static String unsignedErase(String tenant) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>ops</from><thread>"
                + UUID.randomUUID()
                + "</thread></meta><EraseTenant xmlns=\"https://agentstream.dev/ns/v1\" tenant=\""
                + tenant
                + "\"/></message>";
    }

    // ------------------------------------------------------------------ waiting

    private static void awaitCommitted(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> read =
                bus.readUntil(topic, rs -> rs.size() >= count, WAIT, true);
        assertThat(read).as("committed records of %s", topic).hasSizeGreaterThanOrEqualTo(count);
    }

    /**
     * Waits until {@code group} has committed, with a checkpoint, an offset past every committed
     * record of the topics: the job has taken all of them in.
     */
    private static void awaitConsumed(String group, String... topics) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (String topic : topics) {
            for (ConsumerRecord<byte[], byte[]> r :
                    bus.readUntil(topic, rs -> false, Duration.ofSeconds(2), true)) {
                ends.merge(new TopicPartition(topic, r.partition()), r.offset() + 1, Math::max);
            }
        }
        awaitOffsets(group, ends);
    }

    private static void awaitOffsets(String group, Map<TopicPartition, Long> atLeast)
            throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers()))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
            while (System.nanoTime() < deadline) {
                committed =
                        admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> now = committed;
                if (atLeast.entrySet().stream()
                        .allMatch(
                                e ->
                                        now.get(e.getKey()) != null
                                                && now.get(e.getKey()).offset() >= e.getValue())) {
                    return;
                }
                Thread.sleep(200);
            }
            assertThat(committed)
                    .as("offsets committed by %s", group)
                    .containsKeys(atLeast.keySet().toArray(new TopicPartition[0]));
            throw new AssertionError(group + " did not commit " + atLeast + ": " + committed);
        }
    }

    private static JsonNode awaitReceipt(String topic) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> read =
                bus.readUntil(topic, rs -> !rs.isEmpty(), WAIT, true);
        assertThat(read).as("erasure receipts").hasSize(1);
        return JSON.readTree(read.get(0).value());
    }

    private static List<String> deadLetterReasons(String topic) {
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                bus.readUntil(topic, rs -> rs.size() >= 2, WAIT, true)) {
            var header = r.headers().lastHeader(DeadLetterSerializer.REASON_HEADER);
            reasons.add(header == null ? "" : BusClient.text(header.value()));
        }
        return reasons;
    }

    /** The tenant's items in a table, once {@code done} accepts their number (or at last). */
    private static long awaitItems(String table, String tenant, Function<Long, Boolean> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long n;
        do {
            n =
                    dynamo
                            .scan(ScanRequest.builder().tableName(table).build())
                            .join()
                            .items()
                            .stream()
                            .map(item -> item.get(BillingTables.TENANT))
                            .map(AttributeValue::s)
                            .filter(tenant::equals)
                            .count();
            if (done.apply(n)) {
                return n;
            }
            Thread.sleep(300);
        } while (System.nanoTime() < deadline);
        return n;
    }

    // ------------------------------------------------------------------ fixtures

    private static String ping(String thread, String text) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>client</from><to>echo</to><thread>"
                + thread
                + "</thread></meta><Ping><n>"
                + text
                + "</n></Ping></message>";
    }

    private static String organism(String baseUrl) {
        return String.join(
                "\n",
                "organism:",
                "  name: erasure-test",
                "llm:",
                "  backends:",
                "    - provider: openai",
                "      base_url: " + baseUrl,
                "      model: sim-1",
                "listeners:",
                "  - name: echo",
                "    payload_class: erase.Ping",
                "    description: Asks the helper about every ping, then answers in words",
                "    agent: true",
                "    peers: [helper]",
                "    prompt: Ask the helper, then answer briefly.",
                "  - name: helper",
                "    payload_class: erase.Question",
                "    description: Answers the questions of echo",
                "    agent: true",
                "    cache: true",
                "    prompt: Answer briefly.",
                "");
    }
}
