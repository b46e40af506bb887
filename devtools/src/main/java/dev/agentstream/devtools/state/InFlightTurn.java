package dev.agentstream.devtools.state;

/**
 * A turn whose LLM call was in flight when the savepoint was taken: async I/O keeps it in the
 * operator state of the LLM-call stage and sends it again on restore. A Flink POJO.
 */
public class InFlightTurn {

    public String tenant;
    public String thread;
    public String agent;

    /** The stream element as async I/O stored it. */
    public byte[] element;

    public InFlightTurn() {}
}
