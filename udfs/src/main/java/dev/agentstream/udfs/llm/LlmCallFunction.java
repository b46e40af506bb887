package dev.agentstream.udfs.llm;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import dev.agentstream.udfs.turn.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each turn's LLM call through Flink async I/O. Every turn yields exactly one {@link
 * TurnResult}, on every path: an answer, a provider failure, an exception thrown while starting the
 * call, or the operator's timeout. A provider error never fails the job.
 */
public class LlmCallFunction extends RichAsyncFunction<Turn, TurnResult> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LlmCallFunction.class);

    private final LlmClientFactory clients;

    private transient LlmClient client;
    private transient Counter calls;
    private transient Counter failures;

    public LlmCallFunction(LlmClientFactory clients) {
        this.clients = clients;
    }

    @Override
    public void open(OpenContext openContext) {
        client = clients.create();
        var metrics = getRuntimeContext().getMetricGroup();
        calls = metrics.counter("llmCalls");
        failures = metrics.counter("llmFailures");
    }

    @Override
    public void asyncInvoke(Turn turn, ResultFuture<TurnResult> resultFuture) {
        Once once = new Once(resultFuture);
        long start = System.nanoTime();
        calls.inc();
        try {
            client.complete(turn)
                    .whenComplete(
                            (reply, error) -> {
                                long millis = (System.nanoTime() - start) / 1_000_000;
                                if (error == null) {
                                    once.complete(TurnResult.ok(turn, reply, millis));
                                } else {
                                    once.complete(failure(turn, error, millis));
                                }
                            });
        } catch (RuntimeException e) {
            once.complete(failure(turn, e, 0));
        }
    }

    @Override
    public void timeout(Turn turn, ResultFuture<TurnResult> resultFuture) {
        failures.inc();
        LOG.warn("LLM call timed out: thread={} agent={}", turn.thread, turn.agent);
        resultFuture.complete(List.of(TurnResult.failed(turn, "timed out", -1)));
    }

    private TurnResult failure(Turn turn, Throwable error, long millis) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        String reason =
                cause instanceof LlmCallException
                        ? cause.getMessage()
                        : "call failed: " + cause.getClass().getSimpleName();
        failures.inc();
        LOG.warn("LLM call failed: thread={} agent={} cause={}", turn.thread, turn.agent, reason);
        return TurnResult.failed(turn, reason, millis);
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    /** Completes a result future at most once, whichever path gets there first. */
    private static final class Once {
        private final ResultFuture<TurnResult> target;
        private final AtomicBoolean done = new AtomicBoolean();

        Once(ResultFuture<TurnResult> target) {
            this.target = target;
        }

        void complete(TurnResult result) {
            if (done.compareAndSet(false, true)) {
                target.complete(List.of(result));
            }
        }
    }
}
