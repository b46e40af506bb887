package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.RetryAfter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class FailureTest {

    @ParameterizedTest(name = "HTTP {0} {1} retry-after {2} ms -> {3}")
    @CsvSource({
        "0, '', 0, RETRY",
        "200, '', 0, RETRY",
        "408, '', 0, RETRY",
        "429, requests, 1000, RETRY",
        "429, requests, 60000, FALL_BACK",
        "429, insufficient_quota, 0, FALL_BACK",
        "400, context_length_exceeded, 0, FALL_BACK",
        "500, server_error, 0, RETRY",
        "503, server_error, 0, RETRY",
        "529, overloaded_error, 0, RETRY",
        "400, invalid_request_error, 0, GIVE_UP",
        "401, invalid_api_key, 0, GIVE_UP",
        "404, not_found, 0, GIVE_UP"
    })
    void shouldClassifyEveryFailure(int status, String type, long retryAfter, Failure expected) {
        LlmCallException e = new LlmCallException(status, "x", type, retryAfter);

        assertThat(Failure.of(e)).isEqualTo(expected);
    }

    @Test
    void shouldBackOffExponentiallyWithJitterAndHonourRetryAfter() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 200; i++) {
            assertThat(policy.delayMs(0, 0)).isBetween(0L, 100L);
            assertThat(policy.delayMs(3, 0)).isBetween(0L, 800L);
            assertThat(policy.delayMs(10, 0)).isBetween(0L, 1000L);
            assertThat(policy.delayMs(0, 2_000)).isEqualTo(2_000L);
        }
    }

    @Test
    void shouldReadRetryAfterInSecondsOrAsAnHttpDateAndCapIt() {
        assertThat(RetryAfter.millis("3")).isEqualTo(3_000);
        assertThat(RetryAfter.millis("100000")).isEqualTo(RetryAfter.CAP.toMillis());
        assertThat(RetryAfter.millis(null)).isZero();
        assertThat(RetryAfter.millis("soon")).isZero();
        assertThat(RetryAfter.millis("-5")).isZero();
        assertThat(RetryAfter.millis("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        String inTenSeconds =
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        assertThat(RetryAfter.millis(inTenSeconds)).isBetween(8_000L, 10_000L);
    }
}
