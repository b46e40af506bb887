package dev.agentstream.udfs.context;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.Turn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * The job's loop in memory, for the registry tests: bus, thread-context, conversation budget, a
 * scripted model, emit, and back to the bus through the real codec (encode, then decode), so that
 * what the job signs must survive the trip it takes in production. Everything either operator
 * writes to the bus is fed back in order.
 */
public final class BusLoop implements AutoCloseable {

    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Deque<Envelope> pending = new ArrayDeque<>();
    private final List<Envelope> bus = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private final KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> context;
    private final KeyedOneInputStreamOperatorTestHarness<String, Turn, Turn> budget;
    private final OneInputStreamOperatorTestHarness<TurnResult, Envelope> emit;
    private final Function<Turn, String> model;
    private int offset;
    private int rejected;

    public BusLoop(Organism organism, StateBackend backend, Function<Turn, String> model)
            throws Exception {
        this(organism, backend, model, CONVERSATION_TURNS);
    }

    /** Turns one conversation may run in the loop, unless a test says otherwise. */
    public static final int CONVERSATION_TURNS = 50;

    public BusLoop(
            Organism organism,
            StateBackend backend,
            Function<Turn, String> model,
            int conversationTurns)
            throws Exception {
        this.model = model;
        this.budget =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ConversationBudgetFunction(
                                        conversationTurns, ContextHarness.TTL)),
                        turn -> turn.root,
                        Types.STRING);
        budget.open();
        this.context =
                ContextHarness.harness(
                        organism,
                        new ContextSettings(ContextHarness.TTL, 1000, 8000, 256, 20),
                        backend);
        this.emit =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(
                                        organism, EnvelopeLimits.defaults(), Fixtures.registry())));
        emit.open();
    }

    /** Puts an envelope from outside on the bus and runs the loop until it is quiet. */
    public BusLoop send(Envelope outside) throws Exception {
        pending.addFirst(outside);
        while (!pending.isEmpty() && offset < 10_000) {
            step(pending.poll());
        }
        return this;
    }

    /** Puts envelopes from outside on the bus together, then runs the loop until quiet. */
    public BusLoop sendAll(Envelope... outside) throws Exception {
        pending.addAll(List.of(outside));
        return send(pending.poll());
    }

    /** Every envelope on the bus so far, outside ones included, decoded as the job reads them. */
    public List<Envelope> bus() {
        return bus;
    }

    /** Turns the conversation budget rejected: never called. */
    public int rejected() {
        return rejected;
    }

    /** Every turn the conversation budget let through to the model, in order. */
    public List<Turn> turns() {
        return turns;
    }

    /** Dead letters of the thread-context and emit stages, in that order. */
    public List<DeadLetter> deadLetters() {
        List<DeadLetter> all = new ArrayList<>(ContextHarness.deadLetters(context));
        var fromEmit = emit.getSideOutput(EmitFunction.DEAD_LETTERS);
        if (fromEmit != null) {
            fromEmit.forEach(r -> all.add(r.getValue()));
        }
        return all;
    }

    private void step(Envelope next) throws Exception {
        Envelope read = codec.decode(codec.encode(next));
        read.envelopeId = "bus-0-" + offset++;
        bus.add(read);
        int turnsBefore = context.extractOutputValues().size();
        int toBusBefore = ContextHarness.errors(context).size();
        context.processElement(new StreamRecord<>(read));
        List<Envelope> toBus = ContextHarness.errors(context);
        pending.addAll(toBus.subList(toBusBefore, toBus.size()));
        List<Turn> started = context.extractOutputValues();
        for (Turn turn : started.subList(turnsBefore, started.size())) {
            int admittedBefore = budget.extractOutputValues().size();
            budget.processElement(new StreamRecord<>(turn));
            TurnResult result;
            if (budget.extractOutputValues().size() > admittedBefore) {
                turns.add(turn);
                LlmReply reply = new LlmReply(model.apply(turn), 1, 1, "m", "r", "stop");
                result = TurnResult.ok(turn, reply, 1);
            } else {
                result = TurnResult.rejected(turn, "conversation limit");
                rejected++;
            }
            int emittedBefore = emit.extractOutputValues().size();
            emit.processElement(new StreamRecord<>(result));
            List<Envelope> emitted = emit.extractOutputValues();
            pending.addAll(emitted.subList(emittedBefore, emitted.size()));
        }
    }

    @Override
    public void close() throws Exception {
        context.close();
        budget.close();
        emit.close();
    }
}
