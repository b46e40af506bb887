package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.billing.UsageSettings;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.emit.OutputParser;
import dev.agentstream.udfs.emit.ParsedOutput;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.turn.ChatMessage;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turning the concierge's answer into envelopes: {@link OutputParser#parse} alone (every {@code <}
 * that opens a name tried as an element with the hardened reader, the elements copied out, the
 * prose tidied), and the whole emit stage, {@link EmitFunction#processElement}: the parse, the
 * payloads checked against the agent's peers, a call per peer element (subthread id and registry
 * link signed with HMAC, the payload read back through the codec, a {@code <sent>} record), message
 * ids and the turn end, every envelope encoded once to check that it fits the bus, and the usage
 * record priced.
 *
 * <p>Replies: {@code short}, one answer element in a markdown fence; {@code three-payloads}, a line
 * of prose, a brief for the summarizer and a summary for the archivist (both peers: calls) and an
 * answer for the customer; {@code malformed}, three broken elements, which stay prose and go back
 * as a reply.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class OutputParsingBenchmark {

    @Param({"short", "three-payloads", "malformed"})
    public String reply;

    private OutputParser parser;
    private DetachedStage<TurnResult, Envelope> stage;
    private String text;
    private TurnResult result;

    @Setup
    public void open() throws Exception {
        EnvelopeLimits limits = EnvelopeLimits.defaults();
        text = AgentReplies.text(reply);
        parser = new OutputParser(limits);
        ChatMessage input = new ChatMessage(ChatMessage.USER, HelpDesk.request(400, 0));
        result =
                TurnResult.ok(
                        AgentReplies.turn(new ChatMessage[] {input}),
                        AgentReplies.reply(text),
                        850);
        stage =
                DetachedStage.open(
                        new EmitFunction(
                                HelpDesk.organism(),
                                limits,
                                HelpDesk.registry(),
                                UsageSettings.defaults()),
                        HelpDesk.NOW);
    }

    @TearDown
    public void close() throws Exception {
        stage.close();
    }

    /** The payload elements and prose of the answer. */
    @Benchmark
    public ParsedOutput parse() {
        return parser.parse(text);
    }

    /** The envelopes the emit stage writes for the answer (its usage record goes aside). */
    @Benchmark
    public List<Envelope> emitStage() throws Exception {
        return stage.process(result);
    }

    /** The usage records the last {@link #emitStage} wrote, for the smoke test. */
    List<Object> usage() {
        return stage.sideOutput(EmitFunction.USAGE);
    }
}
