package dev.agentstream.job;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;

import dev.agentstream.udfs.billing.ThreadIndexEntry;
import dev.agentstream.udfs.billing.ThreadIndexFunction;
import dev.agentstream.udfs.billing.TranscriptEntry;
import dev.agentstream.udfs.billing.TranscriptFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.billing.UsageWindows;
import dev.agentstream.udfs.billing.WindowTotal;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.control.ControlFunction;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DecodeFunction;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.erasure.CommandWatermarks;
import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureReceipt;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.quota.QuotaKeys;
import dev.agentstream.udfs.quota.QuotaSettings;
import dev.agentstream.udfs.turn.Turn;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.agentstream.job.StageSettings.cacheSettings;
import static dev.agentstream.job.StageSettings.contextSettings;
import static dev.agentstream.job.StageSettings.controlSettings;
import static dev.agentstream.job.StageSettings.limits;
import static dev.agentstream.job.StageSettings.llmClients;
import static dev.agentstream.job.StageSettings.quotaSettings;
import static dev.agentstream.job.StageSettings.registrySettings;
import static dev.agentstream.job.StageSettings.tenantSettings;
import static dev.agentstream.job.StageSettings.tracingSettings;
import static dev.agentstream.job.StageSettings.usageSettings;

/**
 * Builds the job graph: one builder for production, the local run and the tests, which differ only
 * in the sources and sinks they plug in through {@link Io}.
 */
public final class AgentStreamGraph {

    /**
     * Where the graph reads envelopes from and writes its three outputs to, and where the quota
     * stage reads the committed usage records back from.
     */
    public record Io(
            Source<BusRecord, ?, ?> bus,
            Sink<Envelope> envelopes,
            Sink<UsageRecord> usage,
            Sink<DeadLetter> deadLetters,
            Source<UsageRecord, ?, ?> quotaUsage) {}

    /**
     * Where the billing stages read the committed usage records from and write DynamoDB: totals per
     * tenant and minute, the thread index, and the transcripts ({@code null} when off); and what
     * deletes an erased tenant's items there.
     */
    public record BillingIo(
            Source<UsageRecord, ?, ?> usage,
            Sink<WindowTotal> totals,
            Sink<ThreadIndexEntry> threads,
            Sink<TranscriptEntry> transcripts,
            AsyncFunction<EraseTenant, ErasurePart> eraser) {}

    /**
     * Where the erase commands come from (the control topic's raw records) and where their receipts
     * go.
     */
    public record ControlIo(Source<BusRecord, ?, ?> commands, Sink<ErasureReceipt> receipts) {}

    private AgentStreamGraph() {}

    /** The job without billing stages. */
    public static void build(
            StreamExecutionEnvironment env, Organism organism, Configuration conf, Io io) {
        build(env, organism, conf, io, Optional.empty());
    }

    /** The job without a control topic. */
    public static void build(
            StreamExecutionEnvironment env,
            Organism organism,
            Configuration conf,
            Io io,
            Optional<BillingIo> billing) {
        build(env, organism, conf, io, billing, Optional.empty());
    }

    public static void build(
            StreamExecutionEnvironment env,
            Organism organism,
            Configuration conf,
            Io io,
            Optional<BillingIo> billing,
            Optional<ControlIo> control) {
        // Every task finds the tracing settings in the global job parameters when it opens.
        tracingSettings(conf).install(env.getConfig());

        // Read the signed commands of the control topic, when there is one; every keyed stage
        // below gets them (erase a tenant) and says what it did.
        List<DataStream<DeadLetter>> refused = new ArrayList<>();
        ErasureWiring erasure =
                control.map(c -> ErasureWiring.of(commands(env, conf, c, refused)))
                        .orElseGet(ErasureWiring::off);

        // Read raw records from the bus.
        DataStream<BusRecord> records =
                env.fromSource(io.bus(), WatermarkStrategy.noWatermarks(), OperatorIds.BUS_SOURCE)
                        .uid(OperatorIds.BUS_SOURCE);

        // Decode envelopes and tell their tenants; what cannot be told goes to the dead letters.
        SingleOutputStreamOperator<Envelope> envelopes =
                records.process(
                                new DecodeFunction(
                                        limits(conf), tenantSettings(conf), registrySettings(conf)))
                        .uid(OperatorIds.DECODE)
                        .name(OperatorIds.DECODE);

        // Append each envelope to its thread's context; one addressed to an agent starts a turn.
        SingleOutputStreamOperator<Turn> turns =
                erasure.keyed(
                        envelopes.keyBy(new ThreadKey(), Types.STRING),
                        new ThreadContextFunction(
                                organism,
                                contextSettings(conf),
                                limits(conf),
                                registrySettings(conf)),
                        OperatorIds.THREAD_CONTEXT,
                        TypeInformation.of(Turn.class));

        // Count each conversation's turns across its subthreads; over the limit, no call.
        SingleOutputStreamOperator<Turn> admitted =
                erasure.keyed(
                        turns.keyBy(new ConversationKey(), Types.STRING),
                        new ConversationBudgetFunction(
                                conf.get(AgentStreamOptions.CONVERSATION_MAX_TURNS),
                                conf.get(AgentStreamOptions.CONTEXT_TTL)),
                        OperatorIds.CONVERSATION_BUDGET,
                        TypeInformation.of(Turn.class));

        // Hold each tenant to its quota: a turn reserves an estimate, settled by its usage record
        // read back from the committed topic; over quota it waits, then is rejected.
        // Erase commands reach the erased tenant's one key there.
        SingleOutputStreamOperator<Turn> withinQuota =
                quota(env, conf, erasure.quotaInput(admitted), io);
        erasure.quotaParts(withinQuota.getSideOutput(ErasurePart.TAG));

        // Call the model without blocking; every turn yields one result, failed or not.
        // Partitioned by cache key, so that each subtask's response cache is a shard of one.
        // Ordered, so that a subtask's answers leave in the order its turns arrived. Erase
        // commands reach every subtask as turns of their own, and clear its cache shard.
        DataStream<TurnResult> results =
                AsyncDataStream.orderedWait(
                                erasure.llmInput(withinQuota.keyBy(new CallKey(), Types.STRING)),
                                new LlmCallFunction(
                                        llmClients(organism, conf), cacheSettings(conf)),
                                conf.get(AgentStreamOptions.LLM_TIMEOUT).toMillis(),
                                TimeUnit.MILLISECONDS,
                                conf.get(AgentStreamOptions.LLM_CAPACITY))
                        .uid(OperatorIds.LLM_CALL)
                        .name(OperatorIds.LLM_CALL)
                        .union(
                                admitted.getSideOutput(ConversationBudgetFunction.REJECTED),
                                withinQuota.getSideOutput(QuotaFunction.REJECTED));

        // Turn answers into envelopes from the agent, and one usage record per turn.
        SingleOutputStreamOperator<Envelope> answers =
                results.process(
                                new EmitFunction(
                                        organism,
                                        limits(conf),
                                        registrySettings(conf),
                                        usageSettings(conf)))
                        .uid(OperatorIds.EMIT)
                        .name(OperatorIds.EMIT);

        // Write answers, the answers going up to callers and the errors refused envelopes earn
        // back onto the bus, usage records and dead letters to their topics.
        answers.union(turns.getSideOutput(ThreadContextFunction.BUS))
                .sinkTo(io.envelopes())
                .uid(OperatorIds.BUS_SINK)
                .name(OperatorIds.BUS_SINK);
        answers.getSideOutput(EmitFunction.USAGE)
                .sinkTo(io.usage())
                .uid(OperatorIds.USAGE_SINK)
                .name(OperatorIds.USAGE_SINK);
        erasure.llmParts(answers.getSideOutput(ErasurePart.TAG));
        DataStream<DeadLetter> deadLetters =
                envelopes
                        .getSideOutput(DecodeFunction.DEAD_LETTERS)
                        .union(
                                turns.getSideOutput(ThreadContextFunction.DEAD_LETTERS),
                                answers.getSideOutput(EmitFunction.DEAD_LETTERS));

        // Bill from the committed usage records; keep transcripts, when asked to.
        Optional<DataStream<DeadLetter>> unkept =
                billing.flatMap(b -> billing(env, conf, envelopes, b, erasure));
        if (unkept.isPresent()) {
            refused.add(unkept.get());
        }
        for (DataStream<DeadLetter> more : refused) {
            deadLetters = deadLetters.union(more);
        }

        // One receipt per erase command, once a checkpoint holds what every stage erased.
        control.ifPresent(c -> erasure.receipts(c.receipts()));
        deadLetters
                .sinkTo(io.deadLetters())
                .uid(OperatorIds.DEAD_LETTER_SINK)
                .name(OperatorIds.DEAD_LETTER_SINK);
    }

    /**
     * The quota stage, always in the graph so that its uid and state survive turning quotas on and
     * off; without limits it lets every turn through. It reads the usage records back from their
     * topic, as billing does, with a source of its own: only what a checkpoint committed settles a
     * reservation, and the cycle goes through Kafka, never inside the graph.
     */
    private static SingleOutputStreamOperator<Turn> quota(
            StreamExecutionEnvironment env, Configuration conf, DataStream<Turn> turns, Io io) {
        DataStream<UsageRecord> usage =
                env.fromSource(
                                io.quotaUsage(),
                                WatermarkStrategy.noWatermarks(),
                                OperatorIds.QUOTA_USAGE_SOURCE)
                        .uid(OperatorIds.QUOTA_USAGE_SOURCE);
        QuotaSettings settings = quotaSettings(conf);
        QuotaKeys keys = new QuotaKeys(settings.table());
        return turns.keyBy(new QuotaKey(usageSettings(conf), keys), Types.STRING)
                .connect(usage.keyBy(new QuotaUsageKey(keys), Types.STRING))
                .process(new QuotaFunction(settings))
                .uid(OperatorIds.QUOTA)
                .name(OperatorIds.QUOTA);
    }

    /**
     * The billing stages. They read the usage records back from their topic rather than take them
     * from the emit stage: only what a checkpoint committed there is billed, the totals are a
     * function of the topic that billing systems read too, and DynamoDB being slow or away holds up
     * this branch, never a turn.
     *
     * @return the dead letters of transcript entries that could not be kept whole, when transcripts
     *     are on
     */
    private static Optional<DataStream<DeadLetter>> billing(
            StreamExecutionEnvironment env,
            Configuration conf,
            DataStream<Envelope> envelopes,
            BillingIo io,
            ErasureWiring erasure) {
        // Read the committed usage records back; event time is when each turn was built.
        DataStream<UsageRecord> usage =
                env.fromSource(
                                io.usage(),
                                UsageWindows.watermarks(
                                        conf.get(AgentStreamOptions.BILLING_MAX_OUT_OF_ORDERNESS),
                                        conf.get(AgentStreamOptions.BILLING_IDLE_TIMEOUT)),
                                OperatorIds.USAGE_SOURCE)
                        .uid(OperatorIds.USAGE_SOURCE);

        // Total them per tenant and minute; records later than the window go beside it.
        SingleOutputStreamOperator<WindowTotal> totals =
                erasure.keyed(
                        usage.keyBy(new TenantWindowKey(), Types.STRING),
                        new UsageTotalsFunction(
                                conf.get(AgentStreamOptions.BILLING_ALLOWED_LATENESS),
                                conf.get(AgentStreamOptions.BILLING_FLUSH_INTERVAL)),
                        OperatorIds.USAGE_TOTALS,
                        TypeInformation.of(WindowTotal.class));
        totals.union(totals.getSideOutput(UsageTotalsFunction.LATE))
                .sinkTo(io.totals())
                .uid(OperatorIds.TOTALS_SINK)
                .name(OperatorIds.TOTALS_SINK);

        // Index threads: whose, when, how many turns and tokens; an erased tenant's leave.
        erasure.keyed(
                        usage.keyBy(new TenantThreadKey(), Types.STRING),
                        new ThreadIndexFunction(conf.get(AgentStreamOptions.CONTEXT_TTL)),
                        OperatorIds.THREAD_INDEX,
                        TypeInformation.of(ThreadIndexEntry.class))
                .sinkTo(io.threads())
                .uid(OperatorIds.THREAD_INDEX_SINK)
                .name(OperatorIds.THREAD_INDEX_SINK);

        // Delete an erased tenant's items from the tables, once per command.
        erasure.external(
                OperatorIds.DYNAMODB_ERASURE,
                io.eraser(),
                conf.get(AgentStreamOptions.CONTROL_ERASURE_TIMEOUT));

        // Keep every decoded envelope of a thread at its bus coordinates, when asked to.
        if (io.transcripts() == null) {
            return Optional.empty();
        }
        SingleOutputStreamOperator<TranscriptEntry> transcript =
                envelopes
                        .process(
                                new TranscriptFunction(
                                        conf.get(AgentStreamOptions.TENANT_DEFAULT),
                                        conf.get(AgentStreamOptions.TRANSCRIPTS_TTL)))
                        .uid(OperatorIds.TRANSCRIPT)
                        .name(OperatorIds.TRANSCRIPT);
        transcript
                .sinkTo(io.transcripts())
                .uid(OperatorIds.TRANSCRIPT_SINK)
                .name(OperatorIds.TRANSCRIPT_SINK);
        return Optional.of(transcript.getSideOutput(TranscriptFunction.DEAD_LETTERS));
    }

    /**
     * The control topic's signed commands; what is unsigned, forged, too old or unknown goes to
     * {@code refused}, bound for the dead letters.
     */
    private static DataStream<EraseTenant> commands(
            StreamExecutionEnvironment env,
            Configuration conf,
            ControlIo io,
            List<DataStream<DeadLetter>> refused) {
        SingleOutputStreamOperator<EraseTenant> commands =
                env.fromSource(
                                io.commands(),
                                CommandWatermarks.<BusRecord>strategy(),
                                OperatorIds.CONTROL_SOURCE)
                        .uid(OperatorIds.CONTROL_SOURCE)
                        .process(new ControlFunction(limits(conf), controlSettings(conf)))
                        .uid(OperatorIds.CONTROL_DECODE)
                        .name(OperatorIds.CONTROL_DECODE);
        refused.add(commands.getSideOutput(ControlFunction.DEAD_LETTERS));
        return commands;
    }
}
