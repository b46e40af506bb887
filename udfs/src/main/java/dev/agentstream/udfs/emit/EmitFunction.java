package dev.agentstream.udfs.emit;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.Turn;

import java.time.Instant;
import java.util.Optional;

/**
 * Turns an agent's answer into envelopes and one usage record. Each payload element of the answer
 * becomes an envelope from the agent (never what the model claims) on the same thread, to the peer
 * that accepts its root tag, else back to the sender. An answer with no element becomes a {@code
 * <reply>} to the sender; a failed call becomes a {@code <huh>} to the sender.
 */
public class EmitFunction extends ProcessFunction<TurnResult, Envelope> {

    public static final OutputTag<UsageRecord> USAGE =
            new OutputTag<>("usage", TypeInformation.of(UsageRecord.class));

    private static final long serialVersionUID = 1L;

    private final Organism organism;

    private transient OutputParser parser;
    private transient Counter emitted;

    public EmitFunction(Organism organism) {
        this.organism = organism;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new OutputParser();
        emitted = getRuntimeContext().getMetricGroup().counter("envelopesEmitted");
    }

    @Override
    public void processElement(TurnResult result, Context ctx, Collector<Envelope> out) {
        Turn turn = result.turn;
        if (result.isOk()) {
            ParsedOutput parsed = parser.parse(result.text);
            for (ParsedElement element : parsed.elements()) {
                out.collect(envelope(turn, addressee(turn, element), element));
            }
            if (parsed.elements().isEmpty()) {
                String reply = SystemPayloads.reply(parsed.prose());
                out.collect(
                        envelope(
                                turn, turn.replyTo, reply, "reply", SystemPayloads.AGENTSTREAM_NS));
            }
            emitted.inc(Math.max(1, parsed.elements().size()));
        } else {
            String huh =
                    SystemPayloads.huh(
                            "pipeline-failure",
                            "LLM call failed: " + result.error,
                            turn.replyTo,
                            turn.agent,
                            turn.inputRoot,
                            Instant.ofEpochMilli(turn.createdAt));
            out.collect(envelope(turn, turn.replyTo, huh, "huh", SystemPayloads.SYSTEM_NS));
            emitted.inc();
        }
        ctx.output(USAGE, usage(result));
    }

    /** The agent's peer that accepts the element's root tag, else the sender of the turn. */
    private String addressee(Turn turn, ParsedElement element) {
        Listener agent = organism.listener(turn.agent).orElseThrow();
        if (element.namespace().isEmpty()) {
            for (String peerName : agent.peers()) {
                Optional<Listener> peer = organism.listener(peerName);
                if (peer.isPresent() && peer.get().rootTag().equals(element.root())) {
                    return peer.get().name();
                }
            }
        }
        return turn.replyTo;
    }

    private static Envelope envelope(Turn turn, String to, ParsedElement element) {
        return envelope(turn, to, element.xml(), element.root(), element.namespace());
    }

    private static Envelope envelope(
            Turn turn, String to, String payloadXml, String root, String namespace) {
        return new Envelope(turn.agent, to, turn.thread, payloadXml, root, namespace);
    }

    private static UsageRecord usage(TurnResult result) {
        Turn turn = result.turn;
        UsageRecord u = new UsageRecord();
        u.usageId = turn.inputEnvelopeId + "/" + turn.agent;
        u.thread = turn.thread;
        u.agent = turn.agent;
        u.requestModel = turn.model;
        u.responseModel = result.responseModel;
        u.responseId = result.responseId;
        u.promptTokens = result.promptTokens;
        u.completionTokens = result.completionTokens;
        u.totalTokens = result.promptTokens + result.completionTokens;
        u.latencyMs = result.latencyMs;
        u.status = result.status;
        u.inputEnvelopeId = turn.inputEnvelopeId;
        u.timestamp = turn.createdAt;
        return u;
    }
}
