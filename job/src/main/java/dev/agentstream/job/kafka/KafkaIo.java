package dev.agentstream.job.kafka;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.udfs.envelope.BusRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the Kafka source of the bus and the three Kafka sinks from the job's options. */
public final class KafkaIo {

    /** Transaction timeout of the exactly-once sinks: a broker's default maximum. */
    static final long TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000L;

    private KafkaIo() {}

    public static AgentStreamGraph.Io from(Configuration conf, String jobName) {
        String servers = conf.get(AgentStreamOptions.BOOTSTRAP_SERVERS);
        DeliveryGuarantee guarantee = conf.get(AgentStreamOptions.DELIVERY_GUARANTEE);
        KafkaSource<BusRecord> source =
                KafkaSource.<BusRecord>builder()
                        .setBootstrapServers(servers)
                        .setTopics(conf.get(AgentStreamOptions.BUS_TOPIC))
                        .setGroupId(conf.get(AgentStreamOptions.GROUP_ID))
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new BusRecordDeserializer())
                        .build();
        return new AgentStreamGraph.Io(
                source,
                sink(servers, guarantee, jobName, "bus", busSerializer(conf)),
                sink(
                        servers,
                        guarantee,
                        jobName,
                        "usage",
                        new UsageRecordSerializer(conf.get(AgentStreamOptions.USAGE_TOPIC))),
                sink(
                        servers,
                        guarantee,
                        jobName,
                        "dead-letters",
                        new DeadLetterSerializer(conf.get(AgentStreamOptions.DEAD_LETTER_TOPIC))));
    }

    private static EnvelopeSerializer busSerializer(Configuration conf) {
        return new EnvelopeSerializer(
                conf.get(AgentStreamOptions.BUS_TOPIC), AgentStreamGraph.limits(conf));
    }

    private static <T> KafkaSink<T> sink(
            String servers,
            DeliveryGuarantee guarantee,
            String jobName,
            String sinkName,
            KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(servers)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(jobName + "-" + sinkName)
                // The sink's default (1 h) is above a broker's default maximum (15 min).
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT_MS))
                .setRecordSerializer(serializer)
                .build();
    }
}
