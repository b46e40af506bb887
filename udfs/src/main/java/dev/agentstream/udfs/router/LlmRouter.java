package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Routes a turn across an organism's backends in the order its {@link Strategy} gives. Each attempt
 * goes to the next backend whose context window holds the prompt and whose circuit breaker
 * (resilience4j) and limits let it through; a failure is retried on the same backend with backoff
 * while retries last, then falls back to the next backend, or gives up at once when the request
 * itself is wrong (see {@link ErrorClass}). A prompt too long for every window is cut, oldest
 * history first. Pauses are scheduled, never slept: no thread waits, and the task thread is never
 * touched. Every step after a failed attempt (a retry, a fallback, another look for room) runs on
 * the router's own threads, never on the client's I/O thread that reported the failure: starting a
 * call may resolve a host name, which blocks.
 *
 * <p>The returned future completes once (with the first reply, or the last failure when every
 * backend has failed); cancelling it cancels the attempt in flight. An {@link AttemptListener}
 * hears of each attempt and of how it ended (the call stage's tracing).
 */
public final class LlmRouter implements LlmClient {

    private static final Logger LOG = LoggerFactory.getLogger(LlmRouter.class);

    /** How long a turn that no backend can admit now waits before asking them all again. */
    static final long ADMISSION_PAUSE_MS = 50;

    /** Threads that run the steps after a failed attempt; idle ones end after a while. */
    private static final int STEP_THREADS = 2;

    private final List<Route> routes;
    private final RetryPolicy retry;
    private final Strategy strategy;
    private final RouterMetrics metrics;
    private final AttemptListener attempts;
    private final AtomicLong turns = new AtomicLong();
    private final TokenCounter counter = new TokenCounter();
    private final ExecutorService steps = stepThreads();

    public LlmRouter(List<Route> routes, RetryPolicy retry) {
        this(routes, retry, Strategy.FAILOVER, RouterMetrics.NONE);
    }

    /** A router over {@code routes}, which are in priority order. */
    public LlmRouter(
            List<Route> routes, RetryPolicy retry, Strategy strategy, RouterMetrics metrics) {
        this(routes, retry, strategy, metrics, AttemptListener.NONE);
    }

    /** As above, telling {@code attempts} of each attempt. */
    public LlmRouter(
            List<Route> routes,
            RetryPolicy retry,
            Strategy strategy,
            RouterMetrics metrics,
            AttemptListener attempts) {
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("a router needs at least one backend");
        }
        this.routes = List.copyOf(routes);
        this.retry = retry;
        this.strategy = strategy;
        this.metrics = metrics;
        this.attempts = attempts;
    }

    @Override
    public CompletableFuture<LlmReply> complete(Turn turn) {
        CompletableFuture<LlmReply> result = new CompletableFuture<>();
        AtomicReference<CompletableFuture<LlmReply>> inFlight = new AtomicReference<>();
        result.whenComplete(
                (reply, error) -> {
                    CompletableFuture<LlmReply> attempt = inFlight.get();
                    if (result.isCancelled() && attempt != null) {
                        attempt.cancel(true);
                    }
                });
        Attempt a = new Attempt(result, inFlight, strategy.order(routes, turns));
        if (plan(a, turn, false)) {
            attempt(a, 0, 0, null);
        }
        return result;
    }

    /**
     * Sets the prompt the attempts send and the backends whose windows hold it, cutting the history
     * when none does. Returns false when the turn failed: not even its input fits.
     */
    private boolean plan(Attempt a, Turn turn, boolean trimmed) {
        int tokens = ContextFit.tokens(turn, counter);
        List<Route> fitting = fitting(a.order, tokens);
        if (fitting.isEmpty()) {
            int largest = a.order.stream().mapToInt(Route::contextWindow).max().orElse(0);
            Turn shorter = ContextFit.fit(turn, largest, counter);
            if (shorter == null) {
                a.result.completeExceptionally(tooLong(tokens, largest).withAttempts(0));
                return false;
            }
            LOG.info(
                    "history of thread={} agent={} cut to fit a {}-token window",
                    turn.thread,
                    turn.agent,
                    largest);
            turn = shorter;
            trimmed = true;
            tokens = ContextFit.tokens(turn, counter);
            fitting = fitting(a.order, tokens);
        }
        a.turn = turn;
        a.tokens = tokens;
        a.fitting = fitting;
        a.trimmed = trimmed;
        return true;
    }

    private static List<Route> fitting(List<Route> order, int tokens) {
        List<Route> fitting = new ArrayList<>(order.size());
        for (Route r : order) {
            if (r.holds(tokens)) {
                fitting.add(r);
            }
        }
        return fitting;
    }

    /** The state one turn's attempts share; attempts run one after another, never at once. */
    private static final class Attempt {
        final CompletableFuture<LlmReply> result;
        final AtomicReference<CompletableFuture<LlmReply>> inFlight;
        final List<Route> order;
        final AtomicBoolean crowded = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        volatile Turn turn;
        volatile int tokens;
        volatile List<Route> fitting;
        volatile boolean trimmed;

        Attempt(
                CompletableFuture<LlmReply> result,
                AtomicReference<CompletableFuture<LlmReply>> inFlight,
                List<Route> order) {
            this.result = result;
            this.inFlight = inFlight;
            this.order = order;
        }
    }

    private void attempt(Attempt a, int index, int tries, LlmCallException last) {
        if (a.result.isDone()) {
            return;
        }
        if (index >= a.fitting.size()) {
            outOfBackends(a, last);
            return;
        }
        Route route = a.fitting.get(index);
        if (!route.breaker().tryAcquirePermission()) {
            attempt(a, index + 1, 0, last);
            return;
        }
        long wait = route.admission().admit(a.tokens);
        if (wait < 0) {
            route.breaker().releasePermission();
            a.crowded.set(true);
            attempt(a, index + 1, 0, last);
            return;
        }
        if (wait > 0) {
            later(a, wait, () -> call(a, index, tries, route));
        } else {
            call(a, index, tries, route);
        }
    }

    /** Every backend was tried: wait for room, cut the history, or fail the turn. */
    private void outOfBackends(Attempt a, LlmCallException last) {
        if (last == null && a.crowded.getAndSet(false)) {
            // Every backend that would take it is at its limits: wait for room, not fail.
            later(a, ADMISSION_PAUSE_MS * 1_000_000L, () -> attempt(a, 0, 0, null));
            return;
        }
        if (last != null && !a.trimmed && ErrorClass.of(last) == ErrorClass.CONTEXT_LENGTH) {
            Turn shorter = ContextFit.halve(a.turn);
            if (shorter != null) {
                LOG.info(
                        "prompt of thread={} agent={} too long for every backend; "
                                + "older half of its history dropped",
                        a.turn.thread,
                        a.turn.agent);
                if (plan(a, shorter, true)) {
                    attempt(a, 0, 0, null);
                }
                return;
            }
        }
        a.result.completeExceptionally(everyBackendFailed(last).withAttempts(a.calls.get()));
    }

    /** Makes one admitted attempt on {@code route}. */
    private void call(Attempt a, int index, int tries, Route route) {
        if (a.result.isDone()) {
            route.breaker().releasePermission();
            route.admission().release();
            return;
        }
        long start = System.nanoTime();
        int number = a.calls.incrementAndGet();
        route.inFlight().incrementAndGet();
        Turn sent = forRoute(a.turn, route);
        AttemptListener.Attempt heard = attempts.started(sent, route.name(), sent.model, number);
        CompletableFuture<LlmReply> call;
        try {
            call = route.client().complete(sent);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        a.inFlight.set(call);
        if (a.result.isCancelled()) {
            // Cancelled while the call was being made, before the canceller could see it.
            call.cancel(true);
        }
        call.whenComplete(
                (reply, error) -> {
                    route.inFlight().decrementAndGet();
                    route.admission().release();
                    settle(a, index, tries, route, System.nanoTime() - start, reply, error, heard);
                });
    }

    private void settle(
            Attempt a,
            int index,
            int tries,
            Route route,
            long nanos,
            LlmReply reply,
            Throwable error,
            AttemptListener.Attempt heard) {
        if (error == null) {
            heard.succeeded();
            route.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
            metrics.succeeded(route.name(), nanos);
            a.result.complete(reply.withAttempts(a.calls.get()));
            return;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof CancellationException) {
            heard.cancelled();
            route.breaker().releasePermission();
            return;
        }
        LlmCallException failure =
                cause instanceof LlmCallException e
                        ? e
                        : new LlmCallException(
                                "no response: " + cause.getClass().getSimpleName(), cause);
        ErrorClass kind = ErrorClass.of(failure);
        heard.failed(kind.metricName());
        metrics.failed(route.name(), kind, nanos);
        switch (Failure.of(failure)) {
            case GIVE_UP -> {
                // The request's fault, not the backend's: the breaker does not count it.
                route.breaker().releasePermission();
                a.result.completeExceptionally(failure.withAttempts(a.calls.get()));
            }
            case FALL_BACK -> {
                if (kind == ErrorClass.CONTEXT_LENGTH) {
                    route.breaker().releasePermission(); // the prompt's fault, not the backend's
                } else {
                    route.breaker().onError(nanos, TimeUnit.NANOSECONDS, failure);
                }
                LOG.info("{} cannot take the call ({}); falling back", route.name(), kind);
                next(a, () -> attempt(a, index + 1, 0, failure));
            }
            case RETRY -> {
                route.breaker().onError(nanos, TimeUnit.NANOSECONDS, failure);
                if (tries < retry.retries()) {
                    long pause = retry.delayMs(tries, failure.retryAfterMs());
                    later(a, pause * 1_000_000L, () -> attempt(a, index, tries + 1, failure));
                } else {
                    next(a, () -> attempt(a, index + 1, 0, failure));
                }
            }
        }
    }

    /** Runs {@code step} of {@code a} after {@code nanos} on the router's threads: none sleeps. */
    private void later(Attempt a, long nanos, Runnable step) {
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS, command -> next(a, command))
                .execute(step);
    }

    /** Runs {@code step} of {@code a} on the router's threads; fails the turn once closed. */
    private void next(Attempt a, Runnable step) {
        try {
            steps.execute(step);
        } catch (RejectedExecutionException closed) {
            a.result.completeExceptionally(
                    new LlmCallException("the router is closed", closed)
                            .withAttempts(a.calls.get()));
        }
    }

    private static ExecutorService stepThreads() {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        STEP_THREADS,
                        STEP_THREADS,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        step -> {
                            Thread t = new Thread(step, "agentstream-llm-router");
                            t.setDaemon(true);
                            return t;
                        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static LlmCallException everyBackendFailed(LlmCallException last) {
        String cause = last == null ? "every circuit is open" : last.getMessage();
        return new LlmCallException(
                last == null ? 0 : last.status(),
                "every backend failed; last: " + cause,
                last == null ? "" : last.errorType(),
                0);
    }

    private static LlmCallException tooLong(int tokens, int window) {
        return new LlmCallException(
                400,
                "the turn's input needs " + tokens + " tokens; the largest window is " + window,
                "context_length_exceeded",
                0);
    }

    /** The turn as this backend gets it: with the model the backend serves. */
    private static Turn forRoute(Turn turn, Route route) {
        return route.model() == null || route.model().equals(turn.model)
                ? turn
                : turn.withModel(route.model());
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public void close() throws Exception {
        steps.shutdownNow();
        Exception first = null;
        for (Route route : routes) {
            try {
                route.client().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
