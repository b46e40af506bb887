package dev.agentstream.udfs.router;

/**
 * What the router reports about each backend: attempts, their outcome and latency. The router calls
 * it from whichever thread completes an attempt, so implementations are thread-safe.
 */
public interface RouterMetrics {

    /** Reports nothing: for routers built outside a task. */
    RouterMetrics NONE =
            new RouterMetrics() {
                @Override
                public void succeeded(String backend, long nanos) {}

                @Override
                public void failed(String backend, ErrorClass kind, long nanos) {}
            };

    /** An attempt on {@code backend} answered after {@code nanos}. */
    void succeeded(String backend, long nanos);

    /** An attempt on {@code backend} failed as {@code kind} after {@code nanos}. */
    void failed(String backend, ErrorClass kind, long nanos);
}
