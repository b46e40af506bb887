package dev.agentstream.job.kafka;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.StageSettings;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.tenant.TopicTemplate;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Builds the Kafka source of the bus and the three Kafka sinks from the job's options. */
public final class KafkaIo {

    static final String BUS = "bus";
    static final String USAGE = "usage";
    static final String DEAD_LETTERS = "dead-letters";
    static final String RECEIPTS = "receipts";

    /** Kafka's producer default for {@code max.request.size}: 1 MiB. */
    private static final int KAFKA_DEFAULT_MAX_REQUEST = 1024 * 1024;

    /** What a dead letter's key, headers and record overhead may take beside its value. */
    private static final int DEAD_LETTER_HEADROOM = 64 * 1024;

    private KafkaIo() {}

    public static AgentStreamGraph.Io from(Configuration conf, String jobName) {
        String servers = conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS);
        DeliveryGuarantee guarantee = conf.get(AgentStreamOptions.DELIVERY_GUARANTEE);
        if (guarantee == DeliveryGuarantee.NONE) {
            throw new IllegalConfigurationException(
                    "sink.delivery-guarantee none could lose envelopes and usage records:"
                            + " use at-least-once or exactly-once");
        }
        Duration transactionTimeout = conf.get(AgentStreamOptions.TRANSACTION_TIMEOUT);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            checkTransactions(conf, servers, jobName, transactionTimeout);
        }
        KafkaSourceBuilder<BusRecord> bus = KafkaSource.<BusRecord>builder();
        TopicTemplate template = StageSettings.tenantSettings(conf).template();
        if (template == null) {
            bus.setTopics(busTopics(conf));
            conf.getOptional(AgentStreamOptions.BUS_INGRESS_TOPIC)
                    .ifPresent(ingress -> checkIngressExists(servers, ingress));
        } else {
            // One topic per tenant: every topic the template names, those made later included.
            checkOutsideTheBus(template, conf);
            if (conf.getOptional(AgentStreamOptions.BUS_INGRESS_TOPIC).isPresent()) {
                throw new IllegalConfigurationException(
                        "%s is not supported with %s: the tenant comes from the bus topic's name",
                        AgentStreamOptions.BUS_INGRESS_TOPIC.key(),
                        AgentStreamOptions.BUS_TOPIC_TEMPLATE.key());
            }
            bus.setTopicPattern(template.subscription());
        }
        KafkaSource<BusRecord> source =
                bus.setBootstrapServers(servers)
                        .setGroupId(conf.get(AgentStreamOptions.GROUP_ID))
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new BusRecordDeserializer())
                        .build();
        return new AgentStreamGraph.Io(
                source,
                sink(
                        servers,
                        guarantee,
                        transactionTimeout,
                        prefix(jobName, BUS),
                        busSerializer(conf),
                        Math.max(KAFKA_DEFAULT_MAX_REQUEST, busRecordBytes(conf))),
                sink(
                        servers,
                        guarantee,
                        transactionTimeout,
                        prefix(jobName, USAGE),
                        new UsageRecordSerializer(conf.get(AgentStreamOptions.USAGE_TOPIC)),
                        KAFKA_DEFAULT_MAX_REQUEST),
                deadLetterSink(conf, servers, guarantee, transactionTimeout, jobName),
                quotaUsageSource(conf));
    }

    /**
     * The largest bus record the job writes: an envelope within {@code envelope.max-size} less the
     * job's headroom, with its key and headers. A size above Kafka's 1 MiB needs the bus topics'
     * {@code max.message.bytes} raised as well.
     */
    private static int busRecordBytes(Configuration conf) {
        return (int)
                Math.min(
                        Integer.MAX_VALUE,
                        conf.get(AgentStreamOptions.ENVELOPE_MAX_SIZE).getBytes());
    }

    /**
     * The dead-letter sink, whose producer takes the largest dead letter the serializer writes: the
     * kept bytes and room for the headers.
     */
    private static KafkaSink<DeadLetter> deadLetterSink(
            Configuration conf,
            String servers,
            DeliveryGuarantee guarantee,
            Duration transactionTimeout,
            String jobName) {
        long kept = conf.get(AgentStreamOptions.DEAD_LETTER_MAX_ORIGINAL_SIZE).getBytes();
        if (kept <= 0 || kept > Integer.MAX_VALUE - DEAD_LETTER_HEADROOM) {
            throw new IllegalConfigurationException(
                    "%s must be positive and under 2 GiB, was %s",
                    AgentStreamOptions.DEAD_LETTER_MAX_ORIGINAL_SIZE.key(),
                    conf.get(AgentStreamOptions.DEAD_LETTER_MAX_ORIGINAL_SIZE));
        }
        KafkaRecordSerializationSchema<DeadLetter> serializer =
                new DeadLetterSerializer(
                        conf.get(AgentStreamOptions.DEAD_LETTER_TOPIC), (int) kept);
        return sink(
                servers,
                guarantee,
                transactionTimeout,
                prefix(jobName, DEAD_LETTERS),
                serializer,
                Math.max(KAFKA_DEFAULT_MAX_REQUEST, (int) kept + DEAD_LETTER_HEADROOM));
    }

    /**
     * The control topic and the receipts sink, when {@code control.enabled}. Commands are read
     * {@code read_committed}; a first start begins at the topic's end, so commands left from before
     * the job existed are never carried out.
     */
    public static Optional<AgentStreamGraph.ControlIo> control(Configuration conf, String jobName) {
        if (!conf.get(AgentStreamOptions.CONTROL_ENABLED)) {
            return Optional.empty();
        }
        KafkaSource<BusRecord> commands =
                KafkaSource.<BusRecord>builder()
                        .setBootstrapServers(conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS))
                        .setTopics(conf.get(AgentStreamOptions.CONTROL_TOPIC))
                        .setGroupId(conf.get(AgentStreamOptions.CONTROL_GROUP_ID))
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST))
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new BusRecordDeserializer())
                        .build();
        DeliveryGuarantee guarantee = conf.get(AgentStreamOptions.DELIVERY_GUARANTEE);
        return Optional.of(
                new AgentStreamGraph.ControlIo(
                        commands,
                        sink(
                                conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS),
                                guarantee,
                                conf.get(AgentStreamOptions.TRANSACTION_TIMEOUT),
                                prefix(jobName, RECEIPTS),
                                new ErasureReceiptSerializer(
                                        conf.get(AgentStreamOptions.CONTROL_RECEIPTS_TOPIC)),
                                KAFKA_DEFAULT_MAX_REQUEST)));
    }

    /**
     * The usage topic read back, {@code read_committed}, for the billing stages: what a failure
     * aborted is never totalled.
     */
    public static KafkaSource<UsageRecord> usageSource(Configuration conf) {
        return KafkaSource.<UsageRecord>builder()
                .setBootstrapServers(conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(AgentStreamOptions.USAGE_TOPIC))
                .setGroupId(conf.get(AgentStreamOptions.USAGE_GROUP_ID))
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new UsageRecordDeserializer())
                .build();
    }

    /**
     * The usage topic read back, {@code read_committed}, for the quota stage, in a consumer group
     * of its own. A group with no committed offsets starts at the end: it has no reservations that
     * older records could settle.
     */
    public static KafkaSource<UsageRecord> quotaUsageSource(Configuration conf) {
        return KafkaSource.<UsageRecord>builder()
                .setBootstrapServers(conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(AgentStreamOptions.USAGE_TOPIC))
                .setGroupId(conf.get(AgentStreamOptions.QUOTA_GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new UsageRecordDeserializer())
                .build();
    }

    private static EnvelopeSerializer busSerializer(Configuration conf) {
        return new EnvelopeSerializer(
                conf.get(AgentStreamOptions.BUS_TOPIC),
                StageSettings.tenantSettings(conf).template(),
                StageSettings.limits(conf),
                StageSettings.registrySettings(conf));
    }

    /**
     * The bus topic, and the clients' ingress topic when there is one: a topic of its own, which
     * the job never writes, so that its open transactions on the bus never hold an input back.
     */
    static List<String> busTopics(Configuration conf) {
        String bus = conf.get(AgentStreamOptions.BUS_TOPIC);
        String ingress = conf.get(AgentStreamOptions.BUS_INGRESS_TOPIC);
        if (ingress == null) {
            return List.of(bus);
        }
        try {
            Topic.validate(ingress);
        } catch (InvalidTopicException e) {
            throw new IllegalConfigurationException(
                    AgentStreamOptions.BUS_INGRESS_TOPIC.key()
                            + " is no topic name: "
                            + e.getMessage(),
                    e);
        }
        for (var option :
                List.of(
                        AgentStreamOptions.BUS_TOPIC,
                        AgentStreamOptions.USAGE_TOPIC,
                        AgentStreamOptions.DEAD_LETTER_TOPIC,
                        AgentStreamOptions.CONTROL_TOPIC,
                        AgentStreamOptions.CONTROL_RECEIPTS_TOPIC)) {
            if (ingress.equals(conf.get(option))) {
                throw new IllegalConfigurationException(
                        "%s %s is also %s: the ingress must be a topic of its own",
                        AgentStreamOptions.BUS_INGRESS_TOPIC.key(), ingress, option.key());
            }
        }
        return List.of(bus, ingress);
    }

    /**
     * Refuses an ingress the brokers do not have, which would fail the source and restart the job
     * in a loop until it is made; not checked when the brokers cannot be asked.
     */
    private static void checkIngressExists(String servers, String ingress) {
        if (!BrokerSettings.topicExists(servers, ingress).orElse(true)) {
            throw new IllegalConfigurationException(
                    "%s %s does not exist: create it like the bus (same partitioning) first",
                    AgentStreamOptions.BUS_INGRESS_TOPIC.key(), ingress);
        }
    }

    /** The job must never read its own usage records or dead letters as envelopes. */
    private static void checkOutsideTheBus(TopicTemplate template, Configuration conf) {
        for (var option :
                List.of(
                        AgentStreamOptions.USAGE_TOPIC,
                        AgentStreamOptions.DEAD_LETTER_TOPIC,
                        AgentStreamOptions.CONTROL_TOPIC,
                        AgentStreamOptions.CONTROL_RECEIPTS_TOPIC)) {
            if (template.subscription().matcher(conf.get(option)).matches()) {
                throw new IllegalConfigurationException(
                        "%s %s matches bus.topic-template %s: the job would read it as envelopes",
                        option.key(), conf.get(option), template);
            }
        }
    }

    /** Transactional id prefix of one sink: the job's name and the sink's, unique per sink. */
    static String prefix(String jobName, String sinkName) {
        return jobName + "-" + sinkName;
    }

    private static void checkTransactions(
            Configuration conf, String servers, String jobName, Duration transactionTimeout) {
        Duration interval =
                conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                        .orElseThrow(
                                () ->
                                        new IllegalConfigurationException(
                                                "exactly-once sinks commit on checkpoints: set"
                                                        + " execution.checkpointing.interval"));
        TransactionSettingsCheck.check(
                transactionTimeout,
                BrokerSettings.transactionMaxTimeout(servers),
                interval,
                conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT),
                conf.get(AgentStreamOptions.EXPECTED_RESTART_TIME),
                List.of(
                        prefix(jobName, BUS),
                        prefix(jobName, USAGE),
                        prefix(jobName, DEAD_LETTERS),
                        prefix(jobName, RECEIPTS)));
    }

    private static <T> KafkaSink<T> sink(
            String servers,
            DeliveryGuarantee guarantee,
            Duration transactionTimeout,
            String transactionalIdPrefix,
            KafkaRecordSerializationSchema<T> serializer,
            int maxRequestBytes) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(servers)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty(
                        "transaction.timeout.ms", String.valueOf(transactionTimeout.toMillis()))
                .setProperty("max.request.size", String.valueOf(maxRequestBytes))
                .setRecordSerializer(serializer)
                .build();
    }
}
