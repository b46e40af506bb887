package dev.agentstream.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

import dev.agentstream.job.dynamodb.DynamoDbIo;
import dev.agentstream.job.dynamodb.TenantItemsEraser;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.quota.QuotaLimits;
import dev.agentstream.udfs.trace.TracingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentStreamGraphTest {

    private static final Path EXAMPLE = Path.of("..", "examples", "organism.yaml");

    @Test
    void shouldBuildWithoutGenericTypes() {
        StreamGraph graph = streamGraph();

        assertThat(graph.getStreamNodes()).isNotEmpty();
    }

    @Test
    void shouldGiveEveryOperatorAStableUidFromOneList() {
        List<String> uids =
                streamGraph().getStreamNodes().stream()
                        .map(StreamNode::getTransformationUID)
                        .filter(Objects::nonNull)
                        .toList();

        assertThat(uids).containsAll(Arrays.asList(OperatorIds.ALL));
        // Sinks V2 derive their committer's uid from the sink's.
        assertThat(uids)
                .map(uid -> uid.replaceFirst("^Sink Committer: ", ""))
                .allSatisfy(uid -> assertThat(OperatorIds.ALL).contains(uid));
    }

    @Test
    void shouldNeverChangeAUid() {
        // Savepoints map state by uid: this list only ever grows.
        assertThat(OperatorIds.ALL)
                .startsWith(
                        "bus-source",
                        "decode",
                        "thread-context",
                        "conversation-budget",
                        "llm-call",
                        "emit",
                        "bus-sink",
                        "usage-sink",
                        "dead-letter-sink",
                        "usage-source",
                        "usage-totals",
                        "totals-sink",
                        "thread-index",
                        "thread-index-sink",
                        "transcript",
                        "transcript-sink",
                        "quota-usage-source",
                        "quota");
    }

    @Test
    void shouldRefuseAQuotaWaitLongerThanAThreadWaitsForItsTurn() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.QUOTA_TOKENS_PER_MINUTE, 10_000L);
        conf.set(AgentStreamOptions.QUOTA_MAX_WAIT, Duration.ofMinutes(4));

        assertThatThrownBy(() -> StageSettings.quotaSettings(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("context.turn-release");

        conf.set(AgentStreamOptions.QUOTA_TOKENS_PER_MINUTE, 0L);
        assertThat(StageSettings.quotaSettings(conf).table().limitsAny()).isFalse();
    }

    @Test
    void shouldReadPerTenantQuotasFromTheFileAndStopOnABadOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("quotas.yaml");
        Files.writeString(file, "tenants:\n  acme:\n    tokens-per-minute: 6000\n");
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.QUOTA_FILE, file.toString());
        conf.set(AgentStreamOptions.QUOTA_MAX_WAIT, Duration.ofSeconds(20));

        assertThat(StageSettings.quotaSettings(conf).table().of("acme"))
                .isEqualTo(new QuotaLimits(6_000, 0, Duration.ofSeconds(20)));

        Files.writeString(file, "tenants:\n  acme:\n    tokens-per-hour: 6000\n");
        assertThatThrownBy(() -> StageSettings.quotaSettings(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("tokens-per-hour");
    }

    @Test
    void shouldPinTheMaxParallelism() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());

        assertThat(conf.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(720);
    }

    @Test
    void shouldNameOperatorsShortly() {
        List<String> names =
                streamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName).toList();

        assertThat(names).contains("thread-context", "llm-call", "emit", "decode");
    }

    @Test
    void shouldLeaveTheBillingStagesOutUnlessDynamoDbIsEnabled() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        Organism organism = OrganismLoader.load(EXAMPLE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        AgentStreamGraph.build(
                env, organism, conf, KafkaIo.from(conf, "agentstream"), DynamoDbIo.from(conf));

        assertThat(env.getStreamGraph().getStreamNodes())
                .extracting(StreamNode::getTransformationUID)
                .doesNotContain(OperatorIds.USAGE_SOURCE, OperatorIds.TOTALS_SINK)
                // The quota stage is always there, limits or not.
                .contains(OperatorIds.QUOTA, OperatorIds.QUOTA_USAGE_SOURCE);
    }

    @Test
    void shouldKeepTheKeyedStagesUidsWhetherErasureIsOnOrOff() {
        List<String> off = uids(false);
        List<String> on = uids(true);

        assertThat(off)
                .contains(
                        OperatorIds.THREAD_CONTEXT,
                        OperatorIds.CONVERSATION_BUDGET,
                        OperatorIds.LLM_CALL,
                        OperatorIds.QUOTA,
                        OperatorIds.USAGE_TOTALS,
                        OperatorIds.THREAD_INDEX)
                .doesNotContain(OperatorIds.CONTROL_SOURCE, OperatorIds.ERASURE_RECEIPTS);
        assertThat(on).containsAll(off).contains(OperatorIds.ERASURE_RECEIPTS);
    }

    @Test
    void shouldNameEveryErasurePartAfterItsStagesUid() {
        // The receipt stage waits for parts under these names.
        assertThat(LlmCallFunction.ERASURE_STAGE).isEqualTo(OperatorIds.LLM_CALL);
        assertThat(TenantItemsEraser.STAGE).isEqualTo(OperatorIds.DYNAMODB_ERASURE);
        assertThat(QuotaFunction.ERASURE_STAGE).isEqualTo(OperatorIds.QUOTA);
    }

    @Test
    void shouldKeepTheErasableStagesKeyed() {
        List<StreamNode> keyed =
                streamGraph().getStreamNodes().stream()
                        .filter(n -> OperatorIds.THREAD_CONTEXT.equals(n.getTransformationUID()))
                        .toList();

        assertThat(keyed).hasSize(1);
        assertThat(keyed.get(0).getStatePartitioners()[0]).isNotNull();
        assertThat(keyed.get(0).getStateKeySerializer()).isNotNull();
    }

    /** The uids of the graph with billing, and with or without the control topic. */
    private static List<String> uids(boolean control) {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        // At least once: the graph is the same, and no broker is asked for its settings.
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        conf.set(AgentStreamOptions.DYNAMODB_ENABLED, true);
        conf.set(AgentStreamOptions.DYNAMODB_ENDPOINT, "http://127.0.0.1:1");
        conf.set(AgentStreamOptions.CONTROL_ENABLED, control);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AgentStreamGraph.build(
                env,
                OrganismLoader.load(EXAMPLE),
                conf,
                KafkaIo.from(conf, "agentstream"),
                DynamoDbIo.from(conf),
                KafkaIo.control(conf, "agentstream"));
        return env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .filter(Objects::nonNull)
                .toList();
    }

    @Test
    void shouldDefaultToRocksDbCheckpointsAndNoGenericTypes() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());

        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(conf.toMap()).containsEntry("state.backend.type", "rocksdb");
        assertThat(conf.toMap()).containsKey("execution.checkpointing.interval");
    }

    @Test
    void shouldRefuseAnUnknownKeyInTheJobsOwnAreas() {
        assertThatThrownBy(
                        () ->
                                AgentStreamOptions.checkKeys(
                                        Set.of(
                                                "llm.max-tokenz",
                                                "llm.timeout",
                                                "parallelism.default")))
                .hasMessageContaining("llm.max-tokenz")
                .hasMessageNotContaining("parallelism.default");
    }

    @Test
    void shouldListEveryOptionOnce() {
        assertThat(AgentStreamOptions.all())
                .extracting(o -> o.key())
                .doesNotHaveDuplicates()
                .contains("organism.path", "sink.delivery-guarantee", "context.max-turns");
    }

    @Test
    void shouldReadTheDeliveryGuaranteeAsTheReadmeSpellsIt() {
        Configuration conf =
                Configuration.fromMap(Map.of("sink.delivery-guarantee", "exactly-once"));

        assertThat(conf.get(AgentStreamOptions.DELIVERY_GUARANTEE))
                .isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    }

    @Test
    void shouldGiveEveryTaskTheTracingSettingsThroughTheGlobalJobParameters() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, EXAMPLE.toString());
        conf.set(AgentStreamOptions.TRACING_ENABLED, true);
        conf.set(AgentStreamOptions.TRACING_OTLP_ENDPOINT, "http://jaeger:4317");
        conf.set(AgentStreamOptions.TRACING_SAMPLE_RATIO, 0.5);
        // No broker to ask about transactions: building the graph would wait for one.
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        AgentStreamGraph.build(
                env, OrganismLoader.load(EXAMPLE), conf, KafkaIo.from(conf, "agentstream"));

        Map<String, String> parameters = env.getConfig().getGlobalJobParameters().toMap();
        assertThat(TracingSettings.fromParameters(parameters))
                .isEqualTo(new TracingSettings(true, "http://jaeger:4317", 0.5));
    }

    @Test
    void shouldRefuseASampleRatioAboveOne() {
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.TRACING_ENABLED, true);
        conf.set(AgentStreamOptions.TRACING_SAMPLE_RATIO, 2.0);

        assertThatThrownBy(() -> StageSettings.tracingSettings(conf))
                .hasMessageContaining("tracing.sample-ratio");
    }

    private static StreamGraph streamGraph() {
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, EXAMPLE.toString());
        Organism organism = OrganismLoader.load(EXAMPLE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        // Every stage, the billing ones too; nothing connects while the graph is built. At least
        // once: the exactly-once check would wait for a broker that is not here (same graph).
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        conf.set(AgentStreamOptions.DYNAMODB_ENABLED, true);
        conf.set(AgentStreamOptions.TRANSCRIPTS_ENABLED, true);
        conf.set(AgentStreamOptions.DYNAMODB_ENDPOINT, "http://127.0.0.1:1");
        conf.set(AgentStreamOptions.CONTROL_ENABLED, true);
        AgentStreamGraph.build(
                env,
                organism,
                conf,
                KafkaIo.from(conf, "agentstream"),
                DynamoDbIo.from(conf),
                KafkaIo.control(conf, "agentstream"));
        return env.getStreamGraph();
    }
}
