package dev.agentstream.bench.harness;

/**
 * One side of a comparison: something that can be loaded for a round and measured. The harness
 * opens every side once, runs their rounds in turn, and closes them at the end; a side keeps its
 * clients (and their warm connections) open between rounds.
 *
 * <p>Request/response sides run their rounds with {@link ClosedLoop}; a side that measures a whole
 * job can fill in a {@link RoundResult} its own way.
 */
public interface Side extends AutoCloseable {

    /** A short name in kebab case, used in tables, JSON and ratios. */
    String name();

    /** One sentence on what a request of this side includes. */
    String description();

    /** Builds clients and connections; called once, before the first round. */
    void open() throws Exception;

    /** Runs one round; the side is idle (nothing in flight) when it returns. */
    RoundResult runRound(RoundPlan plan) throws Exception;

    @Override
    void close() throws Exception;
}
