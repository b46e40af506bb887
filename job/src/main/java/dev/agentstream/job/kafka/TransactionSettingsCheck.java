package dev.agentstream.job.kafka;

import org.apache.flink.configuration.IllegalConfigurationException;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks, before an exactly-once job starts, that its Kafka transactions can hold: the transaction
 * timeout must fit under the broker's maximum, and must outlast a checkpoint interval, a checkpoint
 * timeout and a restart, or the broker aborts a transaction that a restored job still means to
 * commit and its records are lost. Transactional id prefixes must differ between sinks, or their
 * transactions fence each other.
 */
public final class TransactionSettingsCheck {

    private TransactionSettingsCheck() {}

    /**
     * @param brokerMaximum the broker's {@code transaction.max.timeout.ms}, when it could be read
     * @throws IllegalConfigurationException naming the settings that cannot hold
     */
    public static void check(
            Duration transactionTimeout,
            Optional<Duration> brokerMaximum,
            Duration checkpointInterval,
            Duration checkpointTimeout,
            Duration expectedRestart,
            List<String> transactionalIdPrefixes) {
        if (brokerMaximum.isPresent() && transactionTimeout.compareTo(brokerMaximum.get()) > 0) {
            throw new IllegalConfigurationException(
                    "sink.transaction-timeout (%s) is above the broker's"
                            + " transaction.max.timeout.ms (%s): the sinks could not start"
                            + " transactions. Lower it or raise the broker's maximum.",
                    transactionTimeout, brokerMaximum.get());
        }
        Duration needed = checkpointInterval.plus(checkpointTimeout).plus(expectedRestart);
        if (transactionTimeout.compareTo(needed) <= 0) {
            throw new IllegalConfigurationException(
                    "sink.transaction-timeout (%s) must be above checkpoint interval (%s) +"
                            + " checkpoint timeout (%s) + kafka.expected-restart-time (%s) = %s;"
                            + " otherwise the broker aborts transactions a restored job still"
                            + " commits, and their records are lost.",
                    transactionTimeout,
                    checkpointInterval,
                    checkpointTimeout,
                    expectedRestart,
                    needed);
        }
        Set<String> seen = new HashSet<>();
        for (String prefix : transactionalIdPrefixes) {
            if (!seen.add(prefix)) {
                throw new IllegalConfigurationException(
                        "two Kafka sinks share the transactional id prefix '%s': their"
                                + " transactions would fence each other",
                        prefix);
            }
        }
    }
}
