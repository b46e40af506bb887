package dev.agentstream.job.dynamodb;

import org.apache.flink.configuration.Configuration;

import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import java.time.Duration;
import java.util.Optional;

/** The billing stages' source and DynamoDB sinks from the job's options; none unless enabled. */
public final class DynamoDbIo {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private DynamoDbIo() {}

    public static Optional<AgentStreamGraph.BillingIo> from(Configuration conf) {
        if (!conf.get(AgentStreamOptions.DYNAMODB_ENABLED)) {
            return Optional.empty();
        }
        DynamoDbClientSettings clients =
                new DynamoDbClientSettings(
                        conf.get(AgentStreamOptions.DYNAMODB_ENDPOINT),
                        conf.get(AgentStreamOptions.DYNAMODB_REGION),
                        CALL_TIMEOUT);
        BillingTables tables = tables(conf);
        return Optional.of(
                new AgentStreamGraph.BillingIo(
                        KafkaIo.usageSource(conf),
                        DynamoDbSink.builder(new TotalsConverter(tables.totals()))
                                .clients(clients)
                                .table(tables.totals(), BillingTables.TENANT, BillingTables.WINDOW)
                                .build(),
                        DynamoDbSink.builder(new ThreadIndexConverter(tables.threads()))
                                .clients(clients)
                                .table(tables.threads(), BillingTables.TENANT, BillingTables.THREAD)
                                .build(),
                        conf.get(AgentStreamOptions.TRANSCRIPTS_ENABLED)
                                ? DynamoDbSink.builder(
                                                new TranscriptConverter(tables.transcripts()))
                                        .clients(clients)
                                        .table(
                                                tables.transcripts(),
                                                BillingTables.TENANT_THREAD,
                                                BillingTables.SLOT)
                                        .build()
                                : null,
                        new TenantItemsEraser(
                                clients,
                                tables,
                                conf.get(AgentStreamOptions.TRANSCRIPTS_ENABLED))));
    }

    /**
     * Creates the billing tables when {@code dynamodb.create-tables} asks for it (billing on); run
     * once at submission, never in a task.
     */
    public static void createTablesIfAsked(Configuration conf) {
        if (!conf.get(AgentStreamOptions.DYNAMODB_ENABLED)
                || !conf.get(AgentStreamOptions.DYNAMODB_CREATE_TABLES)) {
            return;
        }
        DynamoDbClientSettings settings =
                new DynamoDbClientSettings(
                        conf.get(AgentStreamOptions.DYNAMODB_ENDPOINT),
                        conf.get(AgentStreamOptions.DYNAMODB_REGION),
                        CALL_TIMEOUT);
        try (DynamoDbAsyncClient client = settings.create()) {
            tables(conf).create(client);
        }
    }

    public static BillingTables tables(Configuration conf) {
        return new BillingTables(
                conf.get(AgentStreamOptions.DYNAMODB_TOTALS_TABLE),
                conf.get(AgentStreamOptions.DYNAMODB_THREADS_TABLE),
                conf.get(AgentStreamOptions.DYNAMODB_TRANSCRIPTS_TABLE));
    }
}
