package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;

/**
 * Where the DynamoDB client connects. With an endpoint (a DynamoDB-compatible server such as
 * dynalite on loopback) it signs with static dummy credentials; without one it talks to AWS in
 * {@code region} with the default credentials chain. The SDK's own retries are off: the sink
 * retries with its backoff, so there is one retry policy to reason about.
 *
 * @param endpoint an endpoint override such as {@code http://127.0.0.1:8000}, or empty for AWS
 */
public record DynamoDbClientSettings(String endpoint, String region, Duration callTimeout)
        implements ClientProvider, Serializable {

    @Override
    public DynamoDbAsyncClient create() {
        DynamoDbAsyncClientBuilder builder =
                DynamoDbAsyncClient.builder()
                        .region(Region.of(region))
                        .overrideConfiguration(
                                ClientOverrideConfiguration.builder()
                                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                                        .apiCallTimeout(callTimeout)
                                        .build());
        if (endpoint != null && !endpoint.isEmpty()) {
            builder.endpointOverride(URI.create(endpoint))
                    .credentialsProvider(
                            StaticCredentialsProvider.create(
                                    AwsBasicCredentials.create("local", "local")));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }
}
