package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import dev.agentstream.udfs.turn.TurnBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Building an agent's prompt from its thread's context, as the context stage does when a turn
 * starts, without the keyed state: {@link TurnBuilder#build} (system prompt with the peers, the
 * history walked newest first and windowed to {@code context.history-tokens} by the token counts
 * each slot got at append, chat messages in order, the turn's fields), fed by an in-memory history
 * that walks the slots the way {@code ThreadState.historyOf} does, minus its RocksDB read and
 * deserialization of each slot. {@link #buildAndEstimate} adds what the stage does next: the turn's
 * token estimate for the thread's allowance, which counts every message again with jtokkit.
 *
 * <p>The input is the newest slot; the concierge's history is a help-desk conversation of requests,
 * briefs, summaries and answers (about 75 tokens a slot).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class HistoryWindowBenchmark {

    /** Slots in the thread's context, the input included. */
    @Param({"10", "100", "1000", "5000"})
    public int slots;

    /** {@code context.history-tokens}: 8000 is the default, 128000 a long-context model's. */
    @Param({"8000", "128000"})
    public int historyTokens;

    private final TokenCounter counter = new TokenCounter();
    private TurnBuilder turns;
    private Listener agent;
    private List<ContextSlot> thread;
    private ContextSlot input;
    private TurnBuilder.History history;

    @Setup
    public void open() {
        Organism organism = HelpDesk.organism();
        agent = organism.listener(HelpDesk.CONCIERGE).orElseThrow();
        turns =
                new TurnBuilder(
                        organism,
                        historyTokens,
                        ContextSettings.defaults().maxCompletionTokens(),
                        counter);
        thread = HelpDesk.thread(slots, counter);
        input = thread.get(thread.size() - 1);
        history = HelpDesk.history(thread, input);
    }

    /** The turn of the concierge answering the newest slot. */
    @Benchmark
    public Turn buildTurn() throws IOException {
        return turns.build(HelpDesk.TENANT, agent, input, history, HelpDesk.NOW);
    }

    /** The turn and its token estimate, as the context stage computes both before admitting it. */
    @Benchmark
    public long buildAndEstimate() throws IOException {
        Turn turn = buildTurn();
        return turn.maxTokens + counter.promptTokens(turn.messages);
    }

    /** The thread's slots, oldest first, for the smoke test. */
    List<ContextSlot> thread() {
        return thread;
    }
}
