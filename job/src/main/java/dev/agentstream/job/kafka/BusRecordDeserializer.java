package dev.agentstream.job.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import dev.agentstream.udfs.envelope.BusRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes each bus record on as raw bytes with its coordinates. Decoding happens in an operator,
 * where bad input can go to the dead letters instead of failing the source.
 */
public final class BusRecordDeserializer implements KafkaRecordDeserializationSchema<BusRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<BusRecord> out) {
        out.collect(
                new BusRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.value()));
    }

    @Override
    public TypeInformation<BusRecord> getProducedType() {
        return TypeInformation.of(BusRecord.class);
    }
}
