package dev.agentstream.devtools.state;

/**
 * One request a DynamoDB sink's writer held in its buffer when the savepoint was taken: written
 * once the job runs again. A Flink POJO.
 */
public class BufferedWrite {

    /** The sink's uid. */
    public String sink;

    public String table;

    /** {@code PUT} or {@code DELETE}. */
    public String type;

    /** The item's {@code tenant} attribute; empty when it has none. */
    public String tenant;

    public BufferedWrite() {}
}
