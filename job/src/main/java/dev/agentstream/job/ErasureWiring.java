package dev.agentstream.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;

import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasingFunction;
import dev.agentstream.udfs.erasure.ErasingOperator;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureReceipt;
import dev.agentstream.udfs.erasure.ErasureReceiptOperator;
import dev.agentstream.udfs.erasure.TenantErasable;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.turn.Turn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Wires the tenant erasure into the graph: each keyed stage gets the erase commands broadcast to it
 * and sends its parts to the receipt stage, which knows from here which stages to wait for. Without
 * a control topic the stages run alone, with the same uids and state: a job can turn erasure on or
 * off across a savepoint.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Out> quota =
 *         erasure.keyed(
 *                 turns.keyBy(new TenantKey(), Types.STRING),
 *                 new QuotaFunction(...),          // a KeyedProcessFunction, TenantErasable
 *                 OperatorIds.QUOTA,
 *                 TypeInformation.of(Out.class));
 * }</pre>
 */
final class ErasureWiring {

    private final DataStream<EraseTenant> commands;
    private final DataStream<EraseTenant> broadcast;
    private final List<String> stages = new ArrayList<>();
    private final List<DataStream<ErasurePart>> parts = new ArrayList<>();

    /** Each command as a turn, made once for the stages that take commands as turns. */
    private DataStream<Turn> erasingTurns;

    private ErasureWiring(DataStream<EraseTenant> commands) {
        this.commands = commands;
        // To every subtask; no broadcast state: a command is carried out when it arrives.
        this.broadcast = commands == null ? null : commands.broadcast();
    }

    /** No control topic: every stage runs alone. */
    static ErasureWiring off() {
        return new ErasureWiring(null);
    }

    /** Erase commands broadcast to every stage wired here. */
    static ErasureWiring of(DataStream<EraseTenant> commands) {
        return new ErasureWiring(commands);
    }

    boolean isOn() {
        return commands != null;
    }

    /** A keyed stage under {@code uid} (also its name), erasable when commands are on. */
    <K, IN, OUT, F extends KeyedProcessFunction<K, IN, OUT> & TenantErasable<K, OUT>>
            SingleOutputStreamOperator<OUT> keyed(
                    KeyedStream<IN, K> input, F stage, String uid, TypeInformation<OUT> type) {
        SingleOutputStreamOperator<OUT> out =
                isOn()
                        ? input.connect(broadcast)
                                .transform(
                                        uid,
                                        type,
                                        new ErasingOperator<>(
                                                new ErasingFunction<K, IN, OUT>(uid, stage)))
                        : input.process(stage, type);
        out.uid(uid).name(uid);
        if (isOn()) {
            stages.add(uid);
            parts.add(out.getSideOutput(ErasurePart.TAG));
        }
        return out;
    }

    /**
     * The LLM-call stage's input: the turns by cache key and, when commands are on, each command as
     * a turn to every subtask (its cache shard is not keyed state: a subtask clears its own). The
     * stage is then no longer a keyed operator; it owns no keyed state, and its turns in flight
     * restore either way.
     */
    DataStream<Turn> llmInput(KeyedStream<Turn, String> turns) {
        if (!isOn()) {
            return turns;
        }
        stages.add(LlmCallFunction.ERASURE_STAGE);
        return turns.union(erasingTurns().broadcast());
    }

    /**
     * The quota stage's turns and, when commands are on, each command as a turn, which the stage's
     * key selector sends to the tenant's own key ({@code QuotaKeys.erasing}): the only key that can
     * hold the tenant's quota state, so the stage sends one part per command.
     */
    DataStream<Turn> quotaInput(DataStream<Turn> turns) {
        if (!isOn()) {
            return turns;
        }
        stages.add(QuotaFunction.ERASURE_STAGE);
        return turns.union(erasingTurns());
    }

    /** The quota stage's parts (its side output {@link ErasurePart#TAG}). */
    void quotaParts(DataStream<ErasurePart> fromQuota) {
        if (isOn()) {
            parts.add(fromQuota);
        }
    }

    private DataStream<Turn> erasingTurns() {
        if (erasingTurns == null) {
            erasingTurns =
                    commands.map(Turn::erasing, TypeInformation.of(Turn.class)).name("erase-turns");
        }
        return erasingTurns;
    }

    /** The LLM-call stage's parts, which its results carry to the emit stage's side output. */
    void llmParts(DataStream<ErasurePart> fromEmit) {
        if (isOn()) {
            parts.add(fromEmit);
        }
    }

    /**
     * A stage that erases outside the job (a database), once per command: one subtask, its part
     * counted like the keyed stages'.
     */
    void external(String uid, AsyncFunction<EraseTenant, ErasurePart> eraser, Duration timeout) {
        if (!isOn() || eraser == null) {
            return;
        }
        stages.add(uid); // the eraser names its parts with its stage's uid
        parts.add(
                AsyncDataStream.unorderedWait(
                                commands, eraser, timeout.toMillis(), TimeUnit.MILLISECONDS, 4)
                        .uid(uid)
                        .name(uid)
                        .setParallelism(1));
    }

    /** One receipt per command, once every stage wired here sent every part. */
    void receipts(Sink<ErasureReceipt> sink) {
        if (!isOn()) {
            return;
        }
        DataStream<ErasurePart> all = parts.get(0);
        for (DataStream<ErasurePart> more : parts.subList(1, parts.size())) {
            all = all.union(more);
        }
        all.transform(
                        OperatorIds.ERASURE_RECEIPTS,
                        TypeInformation.of(ErasureReceipt.class),
                        new ErasureReceiptOperator(stages))
                .uid(OperatorIds.ERASURE_RECEIPTS)
                .name(OperatorIds.ERASURE_RECEIPTS)
                .setParallelism(1)
                .sinkTo(sink)
                .uid(OperatorIds.RECEIPTS_SINK)
                .name(OperatorIds.RECEIPTS_SINK)
                .setParallelism(1);
    }
}
