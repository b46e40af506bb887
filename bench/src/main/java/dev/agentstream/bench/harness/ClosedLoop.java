package dev.agentstream.bench.harness;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load of one round: {@code concurrency} requests in flight at all times, each
 * completion starting the next request on the thread that completed it, until the round's time or
 * request budget is spent; then the requests in flight drain.
 *
 * <p>Each of the {@code concurrency} loops records into its own histogram (its requests run one
 * after another, so no recording is ever concurrent) and the histograms are added up at the end.
 * Latency is measured from just before a request starts to its completion: service time under a
 * closed loop, which never queues more than {@code concurrency} requests.
 */
public final class ClosedLoop {

    /** One request: its future completes normally when the answer is right, else exceptionally. */
    @FunctionalInterface
    public interface Call {
        CompletableFuture<?> start();
    }

    /** Latencies above this are recorded as this; no request of ours may take so long. */
    static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(120);

    private static final int ERROR_TEXT_LIMIT = 200;

    private final RoundPlan plan;
    private final Call call;
    private final Duration drainTimeout;
    private final AtomicLong started = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final CountDownLatch finished;
    private final long deadline;
    private final long startNanos;

    private ClosedLoop(RoundPlan plan, Call call, Duration drainTimeout) {
        this.plan = plan;
        this.call = call;
        this.drainTimeout = drainTimeout;
        this.finished = new CountDownLatch(plan.concurrency());
        this.startNanos = System.nanoTime();
        this.deadline = startNanos + plan.duration().toNanos();
    }

    /**
     * Runs one round of {@code call} and waits for it to drain.
     *
     * @param drainTimeout how long the requests in flight at the end may take; longer than the
     *     calls' own timeout, so that a round only ends this way when a call never completes
     * @throws IllegalStateException when the round did not drain in time
     */
    public static RoundResult run(RoundPlan plan, Call call, Duration drainTimeout)
            throws InterruptedException {
        return new ClosedLoop(plan, call, drainTimeout).run();
    }

    private RoundResult run() throws InterruptedException {
        Loop[] loops = new Loop[plan.concurrency()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop();
        }
        for (Loop loop : loops) {
            loop.next();
        }
        long wait = plan.duration().plus(drainTimeout).toNanos();
        if (!finished.await(wait, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(
                    finished.getCount()
                            + " requests still in flight "
                            + drainTimeout.toSeconds()
                            + " s after the round ended");
        }
        Histogram all = new Histogram(HIGHEST_NANOS, 3);
        long errors = 0;
        long lastEnd = startNanos;
        for (Loop loop : loops) {
            all.add(loop.latencies);
            errors += loop.errors;
            lastEnd = Math.max(lastEnd, loop.lastEnd);
        }
        return RoundResult.of(all, errors, firstError.get(), lastEnd - startNanos);
    }

    /** Whether another request may start: time and request budget left. */
    private boolean claim() {
        return System.nanoTime() < deadline && started.incrementAndGet() <= plan.maxRequests();
    }

    /** One of the {@code concurrency} request chains; its fields are only touched in sequence. */
    private final class Loop {
        final Histogram latencies = new Histogram(HIGHEST_NANOS, 3);
        long errors;
        long lastEnd;

        void next() {
            while (claim()) {
                long start = System.nanoTime();
                CompletableFuture<?> pending = startSafely();
                if (!pending.isDone()) {
                    pending.whenComplete(
                            (ignored, error) -> {
                                settle(start, error);
                                next();
                            });
                    return;
                }
                // Completed at once (a failure before any I/O): loop here rather than recurse.
                settle(start, failureOf(pending));
            }
            finished.countDown();
        }

        private CompletableFuture<?> startSafely() {
            try {
                return call.start();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private void settle(long start, Throwable error) {
            long end = System.nanoTime();
            lastEnd = end;
            if (error == null) {
                latencies.recordValue(Math.min(end - start, HIGHEST_NANOS));
            } else {
                errors++;
                firstError.compareAndSet(null, describe(error));
            }
        }
    }

    private static Throwable failureOf(CompletableFuture<?> done) {
        try {
            done.get();
            return null;
        } catch (ExecutionException | CancellationException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** The root cause's class and message, on one line and short. */
    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String text = cause.getClass().getSimpleName();
        if (cause.getMessage() != null) {
            text += ": " + cause.getMessage().replaceAll("\\s+", " ");
        }
        return text.length() <= ERROR_TEXT_LIMIT
                ? text
                : text.substring(0, ERROR_TEXT_LIMIT) + "...";
    }
}
