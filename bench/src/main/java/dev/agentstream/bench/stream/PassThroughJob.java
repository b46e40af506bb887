package dev.agentstream.bench.stream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;

/**
 * The baseline: the bus's records copied byte for byte to another topic by Flink, with the same
 * source settings ({@code read_committed}), sink guarantee, checkpoint interval and parallelism as
 * the full job; no parsing, no state.
 */
final class PassThroughJob implements JobUnderTest {

    private static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public String name() {
        return "pass-through";
    }

    @Override
    public StreamExecutionEnvironment build(StreamRig rig, Topics topics, JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.setParallelism(settings.parallelism());
        KafkaSource<byte[]> source =
                KafkaSource.<byte[]>builder()
                        .setBootstrapServers(rig.bootstrapServers())
                        .setTopics(topics.bus())
                        .setGroupId(topics.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(
                                KafkaRecordDeserializationSchema.valueOnly(
                                        ByteArrayDeserializer.class))
                        .build();
        KafkaSink<byte[]> sink =
                KafkaSink.<byte[]>builder()
                        .setBootstrapServers(rig.bootstrapServers())
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.<byte[]>builder()
                                        .setTopic(topics.out())
                                        .setValueSerializationSchema(new Bytes())
                                        .build())
                        .setDeliveryGuarantee(settings.guarantee())
                        .setTransactionalIdPrefix("bench-pass-" + topics.bus())
                        .setProperty(
                                "transaction.timeout.ms",
                                String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "bus")
                .uid("bench-bus-source")
                .name("bus")
                .sinkTo(sink)
                .uid("bench-out-sink")
                .name("out");
        return env;
    }

    @Override
    public String answerTopic(Topics topics) {
        return topics.out();
    }

    @Override
    public boolean answersAreCopies() {
        return true;
    }

    /** The record's bytes as they are. */
    private static final class Bytes implements SerializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(byte[] element) {
            return element;
        }
    }
}
