package dev.agentstream.udfs.envelope;

/** The raw bytes of one record read from the bus, with the coordinates it was read from. */
public class BusRecord {

    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] value;

    public BusRecord() {}

    public BusRecord(String topic, int partition, long offset, long timestamp, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.value = value;
    }

    /** Stable id of the record: {@code topic-partition-offset}. */
    public String coordinates() {
        return topic + "-" + partition + "-" + offset;
    }
}
