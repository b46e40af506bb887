package dev.agentstream.job.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Reads the broker settings the job's start-up checks need, from one broker of the bus. */
final class BrokerSettings {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerSettings.class);
    private static final String TRANSACTION_MAX = "transaction.max.timeout.ms";
    private static final long TIMEOUT_SECONDS = 15;

    private BrokerSettings() {}

    /**
     * Whether the brokers know {@code topic}, or empty when they cannot be asked.
     *
     * <p>A source subscribed to a topic that does not exist fails and restarts until it does.
     */
    static Optional<Boolean> topicExists(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
            return Optional.of(
                    admin.listTopics()
                            .names()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .contains(topic));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not list the brokers' topics; {} not checked", topic, e);
            return Optional.empty();
        }
    }

    private static Map<String, Object> adminConfig(String bootstrapServers) {
        int timeoutMs = (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS);
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    }

    /** The broker's {@code transaction.max.timeout.ms}, or empty when it cannot be read. */
    static Optional<Duration> transactionMaxTimeout(String bootstrapServers) {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
            Node broker =
                    admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
                            .findFirst()
                            .orElseThrow();
            ConfigResource resource =
                    new ConfigResource(ConfigResource.Type.BROKER, broker.idString());
            Config configs =
                    admin.describeConfigs(List.of(resource))
                            .all()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .get(resource);
            ConfigEntry entry = configs.get(TRANSACTION_MAX);
            return entry == null
                    ? Optional.empty()
                    : Optional.of(Duration.ofMillis(Long.parseLong(entry.value())));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not read {} from the brokers; not checked", TRANSACTION_MAX, e);
            return Optional.empty();
        }
    }
}
