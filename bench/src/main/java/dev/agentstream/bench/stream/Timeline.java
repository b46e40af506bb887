package dev.agentstream.bench.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many answers had come at each moment of a round, sampled every 20 ms on a thread of its own
 * from before the job starts, so that a backlog the job reads in a few seconds is still seen whole.
 */
final class Timeline implements AutoCloseable {

    private static final long PERIOD_MILLIS = 20;

    private final List<long[]> samples = new ArrayList<>();
    private final ScheduledExecutorService sampler;

    Timeline(LongSupplier answered) {
        sampler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "bench-timeline");
                            t.setDaemon(true);
                            return t;
                        });
        sampler.scheduleAtFixedRate(
                () -> add(System.nanoTime(), answered.getAsLong()),
                0,
                PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private synchronized void add(long nanos, long count) {
        samples.add(new long[] {nanos, count});
    }

    /**
     * Answers per second between the moments 10 % and 90 % of the round's answers had come: the
     * job's start and the last commit are left out. 0 when too few samples tell.
     */
    synchronized double steadyRate() {
        if (samples.isEmpty()) {
            return 0;
        }
        long total = samples.get(samples.size() - 1)[1];
        int from = firstReaching(Math.max(1, total / 10));
        int to = firstReaching(Math.max(1, total * 9 / 10));
        if (from < 0 || to <= from) {
            return 0;
        }
        double seconds = (samples.get(to)[0] - samples.get(from)[0]) / 1e9;
        return (samples.get(to)[1] - samples.get(from)[1]) / seconds;
    }

    private int firstReaching(long count) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i)[1] >= count) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
