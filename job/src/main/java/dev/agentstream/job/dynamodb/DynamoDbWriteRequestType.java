package dev.agentstream.job.dynamodb;

/** What a {@link DynamoDbWriteRequest} does with its item. */
public enum DynamoDbWriteRequestType {
    PUT,
    DELETE
}
