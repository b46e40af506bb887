package dev.agentstream.devtools.control;

import dev.agentstream.devtools.kafka.BrokerOption;
import dev.agentstream.udfs.control.ControlSettings;
import dev.agentstream.udfs.control.ControlSigner;
import dev.agentstream.udfs.control.ControlXml;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.tenant.TenantNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Sends a signed erase command for one tenant to the job's control topic and, if asked to, waits
 * for its receipt. The command is signed with the control key (a file, or the environment variable
 * the job reads too); its id is printed first, the receipt (JSON) after it.
 *
 * <pre>{@code
 * java -cp 'devtools/target/agentstream-devtools.jar:devtools/target/lib/*' \
 *     dev.agentstream.devtools.control.EraseTenantCommand --bootstrap-servers kafka:9092 \
 *     --tenant acme --key-file /etc/agentstream/control.key --wait 600
 * }</pre>
 */
@Command(
        name = "erase-tenant",
        mixinStandardHelpOptions = true,
        description = "Asks the job to erase everything it holds of a tenant.")
public final class EraseTenantCommand implements Callable<Integer> {

    @Mixin BrokerOption broker;

    @Option(
            names = "--topic",
            defaultValue = "agentstream.control",
            description = "The job's control.topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--receipts-topic",
            defaultValue = "agentstream.control.receipts",
            description = "The job's control.receipts-topic (default: ${DEFAULT-VALUE}).")
    String receiptsTopic;

    @Option(names = "--tenant", required = true, description = "The tenant to erase.")
    String tenant;

    @Option(
            names = "--key-file",
            description = "File holding the control key; without it, --key-env is read.")
    String keyFile;

    @Option(
            names = "--key-env",
            defaultValue = ControlSettings.DEFAULT_KEY_ENV,
            description = "Environment variable of the control key (default: ${DEFAULT-VALUE}).")
    String keyEnv;

    @Option(
            names = "--from",
            defaultValue = "ops",
            description = "Who asks, as the receipt will say (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(names = "--command-id", description = "The command's id (default: a new UUID).")
    String commandId;

    @Option(
            names = "--wait",
            defaultValue = "0",
            description = "Seconds to wait for the receipt; 0 to send and leave (default).")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
        if (!TenantNames.isValid(tenant)) {
            System.err.println("not a tenant name ([a-z0-9][a-z0-9._-]{0,63}): " + tenant);
            return 2;
        }
        String id = commandId == null ? UUID.randomUUID().toString() : commandId;
        byte[] key =
                new ControlSettings(keyFile, keyEnv, ControlSettings.DEFAULT_MAX_AGE).loadKey();
        String issued = Instant.now().toString();
        String sig = new ControlSigner(key).sign(ControlXml.ERASE_TENANT, tenant, id, from, issued);
        byte[] command =
                new ControlXml(EnvelopeLimits.defaults())
                        .writeEraseTenant(id, from, tenant, issued, sig);
        if (waitSeconds <= 0) {
            send(command);
            System.out.println(id);
            return 0;
        }
        try (KafkaConsumer<byte[], byte[]> receipts = receiptsFromNow()) {
            send(command);
            System.out.println(id);
            return awaitReceipt(receipts, id) ? 0 : 1;
        }
    }

    private void send(byte[] command) throws Exception {
        try (var producer =
                new KafkaProducer<>(
                        Map.<String, Object>of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic, tenant.getBytes(StandardCharsets.UTF_8), command))
                    .get();
        }
    }

    /** A read_committed consumer of the receipts topic, placed at its end before the command. */
    private KafkaConsumer<byte[], byte[]> receiptsFromNow() {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.<String, Object>of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                "false"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(receiptsTopic).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fixes the position now, not at the first poll
        return consumer;
    }

    private boolean awaitReceipt(KafkaConsumer<byte[], byte[]> receipts, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        String quoted = "\"commandId\":\"" + id + "\"";
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : receipts.poll(Duration.ofMillis(500))) {
                String receipt = new String(r.value(), StandardCharsets.UTF_8);
                if (receipt.contains(quoted)) {
                    System.out.println(receipt);
                    return true;
                }
            }
        }
        System.err.println("no receipt for command " + id + " within " + waitSeconds + " s");
        return false;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EraseTenantCommand()).execute(args));
    }
}
