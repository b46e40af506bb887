package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.emit.MessageIds;
import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DecodeFunction;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.tenant.TenantException;
import dev.agentstream.udfs.tenant.TenantResolver;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.tenant.TenantStamps;
import dev.agentstream.udfs.tenant.TenantXml;
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

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The decode stage's work on one bus record, in default tenant mode with a registry key (as the job
 * runs): {@link DecodeFunction#processElement} (strict UTF-8, the XML characters check, the
 * hardened StAX parse with the limits, the meta block, the payload copied to a self-contained
 * string, the tenant resolved), and the tenant resolution alone on the decoded envelope (reading
 * the identity extensions of its meta and, for an envelope the job wrote, checking its stamp's HMAC
 * over the payload).
 *
 * <p>Envelopes: {@code typical}, a customer's request of about 1 KB; {@code large}, one of about 64
 * KB (sections of text); {@code stamped} and {@code stamped-large}, the concierge's answer of the
 * same sizes as the job writes it to the bus (message id, turn end and tenant stamp).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecodeBenchmark {

    static final String TOPIC = "agentstream.bus";
    static final int TYPICAL_TEXT_CHARS = 830;
    static final int LARGE_PAYLOAD_BYTES = 64 * 1024;

    @Param({"typical", "large", "stamped", "stamped-large"})
    public String envelope;

    private DetachedStage<BusRecord, Envelope> stage;
    private BusRecord record;
    private TenantResolver resolver;
    private Envelope decoded;

    @Setup
    public void open() throws Exception {
        EnvelopeLimits limits = EnvelopeLimits.defaults();
        RegistrySettings registry = HelpDesk.registry();
        record = new BusRecord(TOPIC, 0, 42, HelpDesk.NOW, bytes(envelope, limits, registry));
        stage =
                DetachedStage.open(
                        new DecodeFunction(limits, TenantSettings.defaults(), registry),
                        HelpDesk.NOW);
        resolver = new TenantResolver(TenantSettings.defaults(), registry.loadKey(), limits);
        decoded = decodeStage();
    }

    @TearDown
    public void close() throws Exception {
        stage.close();
    }

    /** One record through the decode stage; the envelope it writes downstream. */
    @Benchmark
    public Envelope decodeStage() throws Exception {
        List<Envelope> out = stage.process(record);
        if (out.isEmpty()) {
            throw new IllegalStateException("the record became a dead letter");
        }
        return out.get(0);
    }

    /** The tenant of the decoded envelope, as the decode stage resolves it. */
    @Benchmark
    public String resolveTenant() throws TenantException {
        return resolver.resolve(TOPIC, decoded, HelpDesk.NOW);
    }

    /** The record's bytes for one of the {@link #envelope} kinds. */
    static byte[] bytes(String kind, EnvelopeLimits limits, RegistrySettings registry)
            throws EnvelopeException {
        switch (kind) {
            case "typical":
                return customer(HelpDesk.request(TYPICAL_TEXT_CHARS, 0));
            case "large":
                return customer(HelpDesk.largePayload("Request", LARGE_PAYLOAD_BYTES));
            case "stamped":
                return stamped(HelpDesk.answer(TYPICAL_TEXT_CHARS - 240, 3), limits, registry);
            case "stamped-large":
                return stamped(
                        HelpDesk.largePayload("Answer", LARGE_PAYLOAD_BYTES), limits, registry);
            default:
                throw new IllegalArgumentException("no envelope kind " + kind);
        }
    }

    private static byte[] customer(String payload) {
        return HelpDesk.customerEnvelope(payload).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The concierge's answer to the customer as the bus sink writes it: the payload read back
     * through the codec, the message id and turn end the emit stage adds, the tenant stamp.
     */
    private static byte[] stamped(
            String payload, EnvelopeLimits limits, RegistrySettings registrySettings)
            throws EnvelopeException {
        EnvelopeCodec codec = new EnvelopeCodec(limits);
        Envelope plain = codec.decode(customer(payload));
        String inputId = DecodeBenchmark.TOPIC + "-0-41";
        Envelope answer =
                new Envelope(
                        HelpDesk.CONCIERGE,
                        HelpDesk.CUSTOMER,
                        HelpDesk.THREAD,
                        plain.payloadXml,
                        plain.payloadRoot,
                        "");
        answer.metaExtensions =
                MessageIds.metaExtension(MessageIds.of(inputId, HelpDesk.CONCIERGE, 0))
                        + new Registry(registrySettings, limits).turnEnd(inputId);
        answer.tenant = HelpDesk.TENANT;
        TenantStamps stamps = new TenantStamps(registrySettings.loadKey(), new TenantXml(limits));
        return stamps.encode(answer, codec);
    }
}
