package dev.agentstream.job.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbAsyncWaiter;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The tables the job writes and their keys, in one place: the sinks dedupe by these keys, and the
 * development tools create the tables from them (in production the tables come from the deployment,
 * with TTL on the {@code ttl} attribute of the threads and transcripts tables).
 *
 * <ul>
 *   <li>totals: {@code tenant} (S) + {@code window} (S, the window's start as an ISO-8601 instant,
 *       with {@code #late#<usage id>} after it for a late correction)
 *   <li>threads: {@code tenant} (S) + {@code thread} (S): two tenants' threads of one UUID are two
 *       items, and a tenant's threads are one query
 *   <li>transcripts: {@code tenantThread} (S, {@code <tenant>#<thread>}) + {@code slot} (S, the
 *       envelope's bus coordinates): a thread's transcript is one query, and only its tenant's
 * </ul>
 */
public record BillingTables(String totals, String threads, String transcripts)
        implements Serializable {

    public static final String TENANT = "tenant";
    public static final String WINDOW = "window";
    public static final String THREAD = "thread";
    public static final String TENANT_THREAD = "tenantThread";
    public static final String SLOT = "slot";
    public static final String TTL = "ttl";

    /**
     * The transcripts table's partition key of {@code thread} of {@code tenant}; a tenant name
     * never holds {@code #} (see {@code TenantNames}), so no two pairs share one.
     */
    public static String tenantThread(String tenant, String thread) {
        return tenant + "#" + thread;
    }

    /**
     * Creates the three tables on demand and waits until each exists; a table that exists already
     * is left as it is.
     */
    public void create(DynamoDbAsyncClient client) {
        for (CreateTableRequest request : definitions()) {
            try {
                client.createTable(request).join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof ResourceInUseException)) {
                    throw e;
                }
            }
            try (DynamoDbAsyncWaiter waiter = client.waiter()) {
                waiter.waitUntilTableExists(b -> b.tableName(request.tableName())).join();
            }
        }
    }

    List<CreateTableRequest> definitions() {
        List<CreateTableRequest> all = new ArrayList<>();
        all.add(table(totals, TENANT, WINDOW));
        all.add(table(threads, TENANT, THREAD));
        all.add(table(transcripts, TENANT_THREAD, SLOT));
        return all;
    }

    private static CreateTableRequest table(String name, String hash, String range) {
        List<KeySchemaElement> keys = new ArrayList<>();
        List<AttributeDefinition> attributes = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
        attributes.add(string(hash));
        if (range != null) {
            keys.add(
                    KeySchemaElement.builder().attributeName(range).keyType(KeyType.RANGE).build());
            attributes.add(string(range));
        }
        return CreateTableRequest.builder()
                .tableName(name)
                .keySchema(keys)
                .attributeDefinitions(attributes)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .build();
    }

    private static AttributeDefinition string(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }
}
