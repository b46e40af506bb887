package dev.agentstream.job.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.emit.UsageRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Reads usage records back from their topic. A record that is not one (written by someone else, or
 * by a version of the job with other fields) is skipped with a warning, never a failure: the totals
 * must not stop for one bad record.
 */
public final class UsageRecordDeserializer
        implements KafkaRecordDeserializationSchema<UsageRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UsageRecordDeserializer.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<UsageRecord> out) {
        try {
            UsageRecord usage = JSON.readValue(record.value(), UsageRecord.class);
            if (usage.usageId == null || usage.tenant == null) {
                throw new IOException("no usage id or tenant");
            }
            out.collect(usage);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Skipping a record of {}-{} at offset {} that is no usage record: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    @Override
    public TypeInformation<UsageRecord> getProducedType() {
        return TypeInformation.of(UsageRecord.class);
    }
}
