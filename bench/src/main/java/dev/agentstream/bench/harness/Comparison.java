package dev.agentstream.bench.harness;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Two or more sides measured against each other in one run, and what they share (a server, a
 * workload). The first side is the baseline; every later side is compared with every earlier one.
 */
public interface Comparison extends AutoCloseable {

    /** The comparison's name on the command line and in the report, in kebab case. */
    String name();

    /** One sentence on what is compared. */
    String description();

    /** The sides, baseline first; each is opened by the harness. */
    List<Side> sides();

    /** The comparison's own figures, computed per measured cycle; none by default. */
    default List<Figure> figures() {
        return List.of();
    }

    /**
     * Whether the sides are request/response loops kept full ({@code closed}) or fed at a rate of
     * their own ({@code open}).
     */
    default String loop() {
        return "closed";
    }

    /** Settings of this comparison that the report should carry, e.g. the server's latency. */
    Map<String, Object> settings();

    /**
     * Which threads of this process belong to the server the sides call (when it runs in process),
     * so that their CPU time is reported apart from the client's.
     */
    default Predicate<String> serverThreads() {
        return name -> false;
    }

    /** Stops what the sides share; the sides are closed before. */
    @Override
    void close() throws Exception;
}
