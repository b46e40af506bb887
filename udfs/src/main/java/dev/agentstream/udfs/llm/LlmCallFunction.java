package dev.agentstream.udfs.llm;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import dev.agentstream.udfs.cache.CacheSettings;
import dev.agentstream.udfs.cache.CachingLlmClient;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.trace.CallSpans;
import dev.agentstream.udfs.trace.StageSpan;
import dev.agentstream.udfs.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each turn's LLM call through Flink async I/O. Every turn yields exactly one {@link
 * TurnResult}, on every path: an answer, a provider failure, an exception thrown while starting the
 * call, or the operator's timeout. A provider error never fails the job. Turns of agents that cache
 * go through this subtask's shard of the response cache first ({@link CachingLlmClient}). A turn
 * that carries an erase command ({@link Turn#erase}) is no call: it clears the tenant from the
 * cache and answers with this subtask's {@link ErasurePart}.
 */
public class LlmCallFunction extends RichAsyncFunction<Turn, TurnResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmCallFunction.class);

    /** Answers one subtask keeps in its shard of the response cache unless told otherwise. */
    public static final long DEFAULT_CACHE_ENTRIES = 10_000;

    /** The stage name of this stage's erasure parts. */
    public static final String ERASURE_STAGE = "llm-call";

    private final LlmClientFactory clients;
    private final CacheSettings cache;

    private transient CachingLlmClient client;
    private transient ExecutorService submitter;
    private transient Map<ResultFuture<TurnResult>, Once> inFlight;
    private transient Counter calls;
    private transient Counter failures;
    private transient Counter resent;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;
    private transient CallSpans spans;

    /** Wall-clock time this task attempt opened; turns built before it were restored. */
    private transient long openedAt;

    /** With a response cache of {@link #DEFAULT_CACHE_ENTRIES} entries per subtask. */
    public LlmCallFunction(LlmClientFactory clients) {
        this(clients, new CacheSettings(DEFAULT_CACHE_ENTRIES));
    }

    public LlmCallFunction(LlmClientFactory clients, CacheSettings cache) {
        this.clients = clients;
        this.cache = cache;
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        cacheHits = metrics.counter("cacheHits");
        cacheMisses = metrics.counter("cacheMisses");
        spans = CallSpans.open(getRuntimeContext());
        LlmClient router =
                clients.create(
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                        metrics.addGroup("router"),
                        spans.attempts());
        client =
                new CachingLlmClient(
                        router,
                        cache.maxEntries(),
                        cache.secondTier(),
                        new CachingLlmClient.Counts() {
                            @Override
                            public void hit() {
                                cacheHits.inc();
                            }

                            @Override
                            public void miss() {
                                cacheMisses.inc();
                            }
                        });
        submitter =
                Executors.newFixedThreadPool(
                        2,
                        runnable -> {
                            Thread t = new Thread(runnable, "agentstream-llm-submit");
                            t.setDaemon(true);
                            return t;
                        });
        inFlight = new ConcurrentHashMap<>();
        calls = metrics.counter("llmCalls");
        failures = metrics.counter("llmFailures");
        resent = metrics.counter("llmCallsResentAfterRestore");
        openedAt = System.currentTimeMillis();
    }

    @Override
    public void asyncInvoke(Turn turn, ResultFuture<TurnResult> resultFuture) {
        Once once = new Once(resultFuture, turn);
        once.span = spans.start(turn);
        inFlight.put(resultFuture, once);
        if (turn.erase != null) {
            erase(turn, once);
            return;
        }
        calls.inc();
        // A turn let through before this task attempt opened was in flight at the checkpoint the
        // job restored: async I/O sends it again. The idempotency key lets the provider bill it
        // once. (A turn that waited for quota across the restore is sent for the first time.)
        once.resent = turn.sentAt() < openedAt;
        if (once.resent) {
            resent.inc();
        }
        long start = System.nanoTime();
        if (turn.cacheKey != null && turn.cacheTtlMs > 0) {
            // A cache lookup never blocks (a miss builds its request on the cache's executor),
            // and on the task thread it is ordered with the erasures of the cache.
            start(turn, once, start);
            return;
        }
        try {
            // Started off the task thread: building a request may resolve a host name, which
            // blocks.
            submitter.execute(() -> start(turn, once, start));
        } catch (RuntimeException e) {
            fail(once, turn, e, 0);
        }
    }

    /**
     * An erase command, which each subtask gets once: this subtask's cache shard drops the tenant's
     * entries at once, and subtask 0 clears the shared tier for all. Answers as the subtask's part.
     */
    private void erase(Turn turn, Once once) {
        var task = getRuntimeContext().getTaskInfo();
        boolean shared = task.getIndexOfThisSubtask() == 0;
        client.eraseTenant(turn.erase.tenant, shared)
                .whenComplete(
                        (erased, error) -> {
                            ErasureTally tally = new ErasureTally().kind("cache-entries");
                            if (shared) {
                                tally.kind("cache-shared-entries");
                            }
                            if (erased != null) {
                                tally.add("cache-entries", erased.localEntries());
                                tally.add("cache-shared-entries", erased.secondTierEntries());
                            }
                            ErasurePart part =
                                    ErasurePart.of(
                                            turn.erase,
                                            ERASURE_STAGE,
                                            task.getIndexOfThisSubtask(),
                                            task.getNumberOfParallelSubtasks(),
                                            tally);
                            if (error != null) {
                                Throwable cause =
                                        error instanceof CompletionException
                                                ? error.getCause()
                                                : error;
                                part.problem =
                                        "shared cache tier not cleared: " + cause.getMessage();
                            }
                            LOG.info(
                                    "Erased tenant {} from the response cache (command {}): {}",
                                    turn.erase.tenant,
                                    turn.erase.commandId,
                                    tally);
                            once.complete(TurnResult.erased(turn, part));
                        });
    }

    /** Starts the call unless the turn already timed out while it waited to start. */
    private void start(Turn turn, Once once, long start) {
        if (once.isDone()) {
            return;
        }
        try {
            CompletableFuture<LlmReply> call = client.complete(CallSpans.traced(turn, once.span));
            once.call = call;
            call.whenComplete(
                    (reply, error) -> {
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        if (error == null) {
                            once.complete(TurnResult.ok(turn, reply, millis));
                        } else {
                            fail(once, turn, error, millis);
                        }
                    });
            if (once.isDone()) {
                call.cancel(true); // timed out while the call was being started
            }
        } catch (RuntimeException e) {
            fail(once, turn, e, (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void fail(Once once, Turn turn, Throwable error, long millis) {
        TurnResult failed = failure(turn, error, millis);
        if (once.complete(failed)) {
            countFailure(failed);
        }
    }

    @Override
    public void timeout(Turn turn, ResultFuture<TurnResult> resultFuture) {
        Once once = inFlight.get(resultFuture);
        if (turn.erase != null) {
            if (once != null) {
                once.complete(timedOutErasure(turn));
            }
            return;
        }
        if (once == null || !once.complete(TurnResult.failed(turn, TurnResult.TIMED_OUT, -1))) {
            return; // the answer came first
        }
        failures.inc();
        LOG.warn("LLM call timed out: thread={} agent={}", turn.thread, turn.agent);
        if (once.call != null) {
            once.call.cancel(true);
        }
    }

    private TurnResult timedOutErasure(Turn turn) {
        var task = getRuntimeContext().getTaskInfo();
        ErasurePart part =
                ErasurePart.of(
                        turn.erase,
                        ERASURE_STAGE,
                        task.getIndexOfThisSubtask(),
                        task.getNumberOfParallelSubtasks(),
                        new ErasureTally());
        part.problem = "the cache's erasure did not end within llm.timeout";
        return TurnResult.erased(turn, part);
    }

    private TurnResult failure(Turn turn, Throwable error, long millis) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        String reason =
                cause instanceof LlmCallException
                        ? cause.getMessage()
                        : "call failed: " + cause.getClass().getSimpleName();
        TurnResult failed = TurnResult.failed(turn, reason, millis);
        if (cause instanceof LlmCallException e) {
            failed.attempts = e.attempts();
        }
        return failed;
    }

    private void countFailure(TurnResult result) {
        failures.inc();
        LOG.warn(
                "LLM call failed: thread={} agent={} cause={}",
                result.turn.thread,
                result.turn.agent,
                result.error);
    }

    @Override
    public void close() throws Exception {
        if (submitter != null) {
            submitter.shutdownNow();
        }
        if (inFlight != null) {
            // Only on cancel or failover: finish() drains in-flight turns before a normal close.
            for (Once once : inFlight.values()) {
                try {
                    once.complete(TurnResult.failed(once.turn, "operator closed", -1));
                } catch (RuntimeException alreadyClosed) {
                    // the operator no longer takes results; the turn is replayed on restore
                }
            }
        }
        if (client != null) {
            client.close();
        }
        if (spans != null) {
            spans.close();
        }
    }

    /**
     * Completes a result future at most once, whichever path gets there first (the answer, a
     * failure, the operator's timeout), and forgets it once completed.
     */
    private final class Once {
        private final ResultFuture<TurnResult> target;
        private final Turn turn;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile CompletableFuture<LlmReply> call;
        private volatile boolean resent;
        private volatile StageSpan span;

        Once(ResultFuture<TurnResult> target, Turn turn) {
            this.target = target;
            this.turn = turn;
        }

        boolean isDone() {
            return done.get();
        }

        /** Returns true when this call completed the future. */
        boolean complete(TurnResult result) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            result.resent = resent;
            CallSpans.end(span, result);
            inFlight.remove(target);
            target.complete(List.of(result));
            return true;
        }
    }
}
