package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Failover across an organism's backends, in priority order. Each attempt goes to the first backend
 * whose circuit breaker (resilience4j) lets it through; a failure is retried on the same backend
 * with backoff while retries last, then falls back to the next backend, or gives up at once when
 * the request itself is wrong (see {@link Failure}). Pauses are scheduled, never slept: no thread
 * waits, and the task thread is never touched.
 *
 * <p>The returned future completes once (with the first reply, or the last failure when every
 * backend has failed); cancelling it cancels the attempt in flight.
 */
public final class LlmRouter implements LlmClient {

    private static final Logger LOG = LoggerFactory.getLogger(LlmRouter.class);

    /** One backend: its client, the model it serves, its breaker and its limits. */
    public record Route(
            String name,
            String model,
            LlmClient client,
            CircuitBreaker breaker,
            Admission admission) {

        public Route(String name, String model, LlmClient client, CircuitBreaker breaker) {
            this(name, model, client, breaker, Admission.of(name, 0, 0));
        }
    }

    /** How long a turn that no backend can admit now waits before asking them all again. */
    static final long ADMISSION_PAUSE_MS = 50;

    private final List<Route> routes;
    private final RetryPolicy retry;
    private final TokenCounter counter = new TokenCounter();

    public LlmRouter(List<Route> routes, RetryPolicy retry) {
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("a router needs at least one backend");
        }
        this.routes = List.copyOf(routes);
        this.retry = retry;
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
        int tokens = turn.maxTokens;
        for (ChatMessage m : turn.messages) {
            tokens += counter.count(m);
        }
        attempt(new Attempt(turn, tokens, result, inFlight, new AtomicBoolean()), 0, 0, null);
        return result;
    }

    /** The state one turn's attempts share. */
    private record Attempt(
            Turn turn,
            int tokens,
            CompletableFuture<LlmReply> result,
            AtomicReference<CompletableFuture<LlmReply>> inFlight,
            AtomicBoolean crowded) {}

    private void attempt(Attempt a, int index, int tries, LlmCallException last) {
        if (a.result().isDone()) {
            return;
        }
        if (index >= routes.size()) {
            if (last == null && a.crowded().getAndSet(false)) {
                // Every backend that would take it is at its limits: wait for room, not fail.
                later(ADMISSION_PAUSE_MS * 1_000_000L, () -> attempt(a, 0, 0, null));
                return;
            }
            a.result().completeExceptionally(everyBackendFailed(last));
            return;
        }
        Route route = routes.get(index);
        if (!route.breaker().tryAcquirePermission()) {
            attempt(a, index + 1, 0, last);
            return;
        }
        long wait = route.admission().admit(a.tokens());
        if (wait < 0) {
            route.breaker().releasePermission();
            a.crowded().set(true);
            attempt(a, index + 1, 0, last);
            return;
        }
        if (wait > 0) {
            later(wait, () -> call(a, index, tries, route));
        } else {
            call(a, index, tries, route);
        }
    }

    /** Makes one admitted attempt on {@code route}. */
    private void call(Attempt a, int index, int tries, Route route) {
        if (a.result().isDone()) {
            route.breaker().releasePermission();
            route.admission().release();
            return;
        }
        long start = System.nanoTime();
        CompletableFuture<LlmReply> call;
        try {
            call = route.client().complete(forRoute(a.turn(), route));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        a.inFlight().set(call);
        call.whenComplete(
                (reply, error) -> {
                    route.admission().release();
                    settle(a, index, tries, route, System.nanoTime() - start, reply, error);
                });
    }

    private void settle(
            Attempt a,
            int index,
            int tries,
            Route route,
            long nanos,
            LlmReply reply,
            Throwable error) {
        if (error == null) {
            route.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
            a.result().complete(reply);
            return;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof CancellationException) {
            route.breaker().releasePermission();
            return;
        }
        LlmCallException failure =
                cause instanceof LlmCallException e
                        ? e
                        : new LlmCallException(
                                "no response: " + cause.getClass().getSimpleName(), cause);
        switch (Failure.of(failure)) {
            case GIVE_UP -> {
                // The request's fault, not the backend's: the breaker does not count it.
                route.breaker().releasePermission();
                a.result().completeExceptionally(failure);
            }
            case FALL_BACK -> {
                route.breaker().onError(nanos, TimeUnit.NANOSECONDS, failure);
                LOG.info(
                        "{} cannot take the call ({}); falling back",
                        route.name(),
                        reason(failure));
                attempt(a, index + 1, 0, failure);
            }
            case RETRY -> {
                route.breaker().onError(nanos, TimeUnit.NANOSECONDS, failure);
                if (tries < retry.retries()) {
                    long pause = retry.delayMs(tries, failure.retryAfterMs());
                    later(pause * 1_000_000L, () -> attempt(a, index, tries + 1, failure));
                } else {
                    attempt(a, index + 1, 0, failure);
                }
            }
        }
    }

    /** Runs {@code step} after {@code nanos}, on no thread of the caller's: nothing sleeps. */
    private static void later(long nanos, Runnable step) {
        CompletableFuture.runAsync(
                step, CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS));
    }

    private static LlmCallException everyBackendFailed(LlmCallException last) {
        String cause = last == null ? "every circuit is open" : last.getMessage();
        return new LlmCallException(
                last == null ? 0 : last.status(), "every backend failed; last: " + cause);
    }

    /** The turn as this backend gets it: with the model the backend serves. */
    private static Turn forRoute(Turn turn, Route route) {
        return route.model() == null || route.model().equals(turn.model)
                ? turn
                : turn.withModel(route.model());
    }

    private static String reason(LlmCallException e) {
        return e.status() == 0 ? "no response" : "HTTP " + e.status();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public void close() throws Exception {
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
