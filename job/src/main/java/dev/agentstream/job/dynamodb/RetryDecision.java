package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Whether a failed DynamoDB call is worth making again. Throttling, server errors, a table that is
 * not there yet and failures without an answer (connection refused, timeouts) are retried; any
 * other error DynamoDB answers (a validation error, a failed condition, a missing permission) would
 * fail again the same way, and is not.
 */
public enum RetryDecision {
    RETRY,
    REJECT;

    private static final Set<String> RETRYABLE_CODES =
            Set.of(
                    "ProvisionedThroughputExceededException",
                    "ThrottlingException",
                    "RequestLimitExceeded",
                    "LimitExceededException",
                    "InternalServerError",
                    "ServiceUnavailable",
                    "ResourceNotFoundException",
                    "TransactionInProgressException");

    public static RetryDecision of(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            return e.isThrottlingException()
                            || e.statusCode() >= 500
                            || (code != null && RETRYABLE_CODES.contains(code))
                    ? RETRY
                    : REJECT;
        }
        return cause instanceof SdkClientException || cause instanceof IOException ? RETRY : REJECT;
    }

    /** The error behind the wrappers of futures. */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A short description for logs: the error code, or the exception's class. */
    static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof AwsServiceException e && e.awsErrorDetails() != null) {
            return e.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + ")";
        }
        return cause.getClass().getSimpleName();
    }
}
