package dev.agentstream.job.kafka;

import org.apache.flink.configuration.IllegalConfigurationException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionSettingsCheckTest {

    private static final Duration FIFTEEN_MINUTES = Duration.ofMinutes(15);
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RESTART = Duration.ofMinutes(2);
    private static final List<String> PREFIXES = List.of("job-bus", "job-usage", "job-dead");

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(
                        () ->
                                TransactionSettingsCheck.check(
                                        FIFTEEN_MINUTES,
                                        Optional.of(FIFTEEN_MINUTES),
                                        INTERVAL,
                                        CHECKPOINT_TIMEOUT,
                                        RESTART,
                                        PREFIXES))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseATimeoutAboveTheBrokersMaximum() {
        assertThatThrownBy(
                        () ->
                                TransactionSettingsCheck.check(
                                        Duration.ofMinutes(20),
                                        Optional.of(FIFTEEN_MINUTES),
                                        INTERVAL,
                                        CHECKPOINT_TIMEOUT,
                                        RESTART,
                                        PREFIXES))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("sink.transaction-timeout")
                .hasMessageContaining("transaction.max.timeout.ms");
    }

    @Test
    void shouldRefuseATimeoutThatARestartCanOutlast() {
        assertThatThrownBy(
                        () ->
                                TransactionSettingsCheck.check(
                                        Duration.ofMinutes(5),
                                        Optional.empty(),
                                        INTERVAL,
                                        CHECKPOINT_TIMEOUT,
                                        RESTART,
                                        PREFIXES))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("checkpoint timeout")
                .hasMessageContaining("kafka.expected-restart-time");
    }

    @Test
    void shouldRefuseTwoSinksWithOnePrefix() {
        assertThatThrownBy(
                        () ->
                                TransactionSettingsCheck.check(
                                        FIFTEEN_MINUTES,
                                        Optional.empty(),
                                        INTERVAL,
                                        CHECKPOINT_TIMEOUT,
                                        RESTART,
                                        List.of("job-bus", "job-bus")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("job-bus");
    }
}
