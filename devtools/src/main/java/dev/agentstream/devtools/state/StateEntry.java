package dev.agentstream.devtools.state;

/**
 * One stored value of one keyed state, as bytes in the form the savepoint holds it (for a TTL
 * state, with its write time). A Flink POJO, so that the tools pass it between operators without
 * Kryo.
 */
public class StateEntry {

    /** The state's name. */
    public String state;

    /** The map key, serialized; null for a value state. */
    public byte[] userKey;

    /** The stored value, serialized. */
    public byte[] value;

    public StateEntry() {}

    public StateEntry(String state, byte[] userKey, byte[] value) {
        this.state = state;
        this.userKey = userKey;
        this.value = value;
    }
}
