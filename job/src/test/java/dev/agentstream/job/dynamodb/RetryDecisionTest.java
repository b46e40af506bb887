package dev.agentstream.job.dynamodb;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class RetryDecisionTest {

    @Test
    void shouldRetryThrottlingServerErrorsAndNoAnswer() {
        assertThat(
                        RetryDecision.of(
                                error(
                                        ProvisionedThroughputExceededException.builder(),
                                        400,
                                        "ProvisionedThroughputExceededException")))
                .isEqualTo(RetryDecision.RETRY);
        assertThat(RetryDecision.of(error(DynamoDbException.builder(), 400, "ThrottlingException")))
                .isEqualTo(RetryDecision.RETRY);
        assertThat(RetryDecision.of(error(DynamoDbException.builder(), 500, "InternalServerError")))
                .isEqualTo(RetryDecision.RETRY);
        assertThat(
                        RetryDecision.of(
                                error(
                                        ResourceNotFoundException.builder(),
                                        400,
                                        "ResourceNotFoundException")))
                .isEqualTo(RetryDecision.RETRY);
        assertThat(
                        RetryDecision.of(
                                new CompletionException(
                                        SdkClientException.create("Connection refused"))))
                .isEqualTo(RetryDecision.RETRY);
    }

    @Test
    void shouldNotRetryWhatWouldFailTheSameWay() {
        assertThat(RetryDecision.of(error(DynamoDbException.builder(), 400, "ValidationException")))
                .isEqualTo(RetryDecision.REJECT);
        assertThat(
                        RetryDecision.of(
                                error(
                                        ConditionalCheckFailedException.builder(),
                                        400,
                                        "ConditionalCheckFailedException")))
                .isEqualTo(RetryDecision.REJECT);
        assertThat(RetryDecision.of(error(DynamoDbException.builder(), 403, "AccessDenied")))
                .isEqualTo(RetryDecision.REJECT);
        assertThat(RetryDecision.of(new IllegalStateException("a bug")))
                .isEqualTo(RetryDecision.REJECT);
    }

    @Test
    void shouldBackOffExponentiallyWithJitterUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000));

        long[] ceilings = new long[6];
        for (int i = 0; i < ceilings.length; i++) {
            ceilings[i] = backoff.ceilingMs();
            long pause = backoff.nextDelayMs();
            assertThat(pause).isBetween(ceilings[i] / 2, ceilings[i]);
        }

        assertThat(ceilings).containsExactly(100, 200, 400, 800, 1_000, 1_000);
        backoff.reset();
        assertThat(backoff.ceilingMs()).isEqualTo(100);
    }

    @Test
    void shouldDrawDifferentPausesForWritersThatFailedTogether() {
        long first = 0;
        boolean differs = false;
        for (int i = 0; i < 20 && !differs; i++) {
            Backoff b = new Backoff(Duration.ofMillis(1_000), Duration.ofMillis(1_000));
            long pause = b.nextDelayMs();
            differs = i > 0 && pause != first;
            first = i == 0 ? pause : first;
        }

        assertThat(differs).isTrue();
    }

    private static AwsServiceException error(
            AwsServiceException.Builder builder, int status, String code) {
        return builder.statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build())
                .message(code)
                .build();
    }
}
