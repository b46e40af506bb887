package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import java.io.Serializable;

/** Makes the DynamoDB client of a sink writer, on the task manager. */
@FunctionalInterface
public interface ClientProvider extends Serializable {
    DynamoDbAsyncClient create();
}
