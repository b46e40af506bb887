package dev.agentstream.udfs.context;

/**
 * Names of the thread-context operator's keyed state (see {@link ThreadContextFunction}), for the
 * tools that read and rewrite savepoints. A savepoint finds state by these names: never change one.
 */
public final class ContextStateNames {

    /** Map of sequence number to {@link ContextSlot}. */
    public static final String SLOTS = "context-slots";

    /** The {@link ThreadHead}. */
    public static final String HEAD = "context-head";

    /** Map of agent to the processing time its turn in flight started. */
    public static final String BUSY = "turns-busy";

    /** Map of agent to the input envelope id of its turn in flight. */
    public static final String BUSY_INPUT = "turns-busy-input";

    /** Map of input slot sequence number to the agent whose turn waits for it. */
    public static final String WAITING = "turns-waiting";

    /** The {@link dev.agentstream.udfs.registry.RouteLink} of the call that opened a subthread. */
    public static final String LINK = "registry-link";

    /** Map of answer id to true, for the answers from subthreads a thread has taken. */
    public static final String ANSWERS = "registry-answers";

    private ContextStateNames() {}
}
