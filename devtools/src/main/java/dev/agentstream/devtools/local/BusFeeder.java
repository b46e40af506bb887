package dev.agentstream.devtools.local;

import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Sends envelopes onto the bus, keyed by thread id where the envelope has a readable one. */
final class BusFeeder {

    private final String bootstrap;
    private final String topic;
    private final EnvelopeCodec codec = new EnvelopeCodec(EnvelopeLimits.defaults());

    BusFeeder(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    int send(List<String> envelopes) throws ExecutionException, InterruptedException {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true);
        try (var producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String envelope : envelopes) {
                byte[] value = envelope.getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, threadKey(value), value)).get();
            }
        }
        return envelopes.size();
    }

    private byte[] threadKey(byte[] value) {
        try {
            return codec.decode(value).thread.getBytes(StandardCharsets.UTF_8);
        } catch (EnvelopeException e) {
            return null; // the job dead-letters it; any partition will do
        }
    }
}
