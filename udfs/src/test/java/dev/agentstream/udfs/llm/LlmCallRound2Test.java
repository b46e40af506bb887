package dev.agentstream.udfs.llm;

import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;

import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.agentstream.udfs.Fixtures.turn;
import static org.assertj.core.api.Assertions.assertThat;

/** Second attack on the LLM call: what the operator's timeout really stops. */
class LlmCallRound2Test {

    /** The futures the client handed out, and how often it was asked to start a call. */
    static final List<CompletableFuture<LlmReply>> HANDED_OUT = new CopyOnWriteArrayList<>();

    static final AtomicInteger STARTED = new AtomicInteger();
    static volatile CountDownLatch gate = new CountDownLatch(0);

    /** Never answers; blocks while starting a call as long as {@link #gate} is closed. */
    static final class HangingClient implements LlmClient {
        @Override
        public CompletableFuture<LlmReply> complete(Turn turn) {
            STARTED.incrementAndGet();
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CompletableFuture<LlmReply> call = new CompletableFuture<>();
            HANDED_OUT.add(call);
            return call;
        }

        @Override
        public void close() {}
    }

    /**
     * The commit says a timeout "cancels the call"; it cancels only the function's own dependent
     * future (thenCompose), and a CompletableFuture's cancel never reaches the future it depends
     * on. The provider's request keeps running, holding a connection and spending tokens.
     */
    @Test
    void shouldCancelTheProvidersCallWhenTheTurnTimesOut() throws Exception {
        HANDED_OUT.clear();
        gate = new CountDownLatch(0);
        LlmCallFunction function = open();
        try {
            Recording future = new Recording();
            Turn turn = turn();
            function.asyncInvoke(turn, future);
            waitFor(() -> HANDED_OUT.size() == 1);

            function.timeout(turn, future);

            assertThat(future.results).extracting(r -> r.error).containsExactly("timed out");
            assertThat(HANDED_OUT.get(0).isDone())
                    .as("the provider call handed out by the client was cancelled")
                    .isTrue();
        } finally {
            function.close();
        }
    }

    /**
     * Starting a call runs on a pool of two threads with an unbounded queue. When starting blocks
     * (host name resolution), later turns wait in the queue, time out and answer with a huh; but
     * cancel never removes their task, so each is still sent to the provider afterwards: a paid
     * call whose answer nobody reads.
     */
    @Test
    void shouldNotStartACallForATurnThatHasAlreadyTimedOut() throws Exception {
        HANDED_OUT.clear();
        STARTED.set(0);
        gate = new CountDownLatch(1);
        LlmCallFunction function = open();
        try {
            List<Recording> futures = new ArrayList<>();
            List<Turn> turns = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Recording f = new Recording();
                Turn t = turn();
                futures.add(f);
                turns.add(t);
                function.asyncInvoke(t, f);
            }
            waitFor(() -> STARTED.get() == 2);
            for (int i = 0; i < 4; i++) {
                function.timeout(turns.get(i), futures.get(i));
            }
            gate.countDown();
            waitFor(() -> STARTED.get() == 4);

            assertThat(STARTED.get())
                    .as("calls started; turns 3 and 4 had timed out before they were started")
                    .isEqualTo(2);
        } finally {
            gate.countDown();
            function.close();
        }
    }

    private static LlmCallFunction open() {
        LlmCallFunction function = new LlmCallFunction(HangingClient::new);
        function.setRuntimeContext(new MockStreamingRuntimeContext(1, 0));
        function.open(DefaultOpenContext.INSTANCE);
        return function;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static final class Recording implements ResultFuture<TurnResult> {
        final List<TurnResult> results = new CopyOnWriteArrayList<>();

        @Override
        public void complete(Collection<TurnResult> result) {
            results.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {}

        @Override
        public void complete(CollectionSupplier<TurnResult> supplier) {}
    }
}
